"""The validity stamp in ``data.json`` and the JSON summary (``validity``), declared as records. Reading is
tolerant: a stamp that is not one reads as none (the run is stamped again from its data), a stage's entry that
is not one is left out."""

from __future__ import annotations

from typing import Any

from perfconsole.model.validity import RunValidity, Validity
from perfconsole.store.records import Record, decode_each, decode_or_none, plain


class VerdictRecord(Record, kw_only=True):
    """``valid`` and ``text`` follow from ``reasons``: written for readers, not read back."""

    valid: bool = True
    text: str = ""
    reasons: tuple[str, ...]

    @classmethod
    def of(cls, validity: Validity, **more: Any) -> Any:
        return cls(valid=validity.valid, text=validity.text, reasons=validity.reasons, **more)


class StageValidityRecord(VerdictRecord, kw_only=True):
    index: int


class ValidityRecord(VerdictRecord, kw_only=True):
    stages: tuple[Any, ...] = ()
    """:class:`StageValidityRecord` entries, read one by one."""


def validity_record(validity: RunValidity | None) -> ValidityRecord | None:
    if validity is None:
        return None
    stages = tuple(StageValidityRecord.of(v, index=index) for index, v in validity.stages)
    return ValidityRecord.of(validity.run, stages=stages)


def validity_to_dict(validity: RunValidity | None) -> dict[str, Any] | None:
    """``{valid, text, reasons, stages: [{valid, text, reasons, index}]}``."""
    record = validity_record(validity)
    return plain(record) if record is not None else None


def validity_from_dict(data: object) -> RunValidity | None:
    record = decode_or_none(data, ValidityRecord)
    if record is None:
        return None
    stages = tuple((s.index, Validity(s.reasons)) for s in decode_each(record.stages, StageValidityRecord))
    return RunValidity(Validity(record.reasons), stages)
