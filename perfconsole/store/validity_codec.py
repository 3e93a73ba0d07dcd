"""The validity stamp in ``data.json`` and the JSON summary (``validity``). Reading is tolerant: a stamp
that is not what this module writes reads as none (the run is stamped again from its data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from perfconsole.model.validity import RunValidity, Validity


def _validity_to_dict(validity: Validity) -> dict[str, Any]:
    return {"valid": validity.valid, "text": validity.text, "reasons": list(validity.reasons)}


def validity_to_dict(validity: RunValidity | None) -> dict[str, Any] | None:
    """``{valid, text, reasons, stages: [{index, valid, text, reasons}]}``."""
    if validity is None:
        return None
    return {
        **_validity_to_dict(validity.run),
        "stages": [{"index": index, **_validity_to_dict(v)} for index, v in validity.stages],
    }


def _reasons(data: object) -> tuple[str, ...] | None:
    if not isinstance(data, Mapping):
        return None
    reasons = data.get("reasons")
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        return None
    return tuple(reasons)


def validity_from_dict(data: object) -> RunValidity | None:
    run = _reasons(data)
    if run is None or not isinstance(data, Mapping):
        return None
    stages = []
    for item in data.get("stages") or ():
        reasons = _reasons(item)
        index = item.get("index") if isinstance(item, Mapping) else None
        if reasons is not None and isinstance(index, int) and not isinstance(index, bool):
            stages.append((index, Validity(reasons)))
    return RunValidity(Validity(run), tuple(stages))
