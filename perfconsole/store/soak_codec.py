"""The soak verdict in ``data.json`` and the JSON summary (``soak``), declared as records. Reading is
tolerant: anything that is not one reads as no verdict, a trend that is not one is left out."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from perfconsole.model.soak import SoakVerdict, Trend
from perfconsole.store.records import Number, Record, decode_each, decode_or_none, plain


class TrendRecord(Record, kw_only=True):
    """A trend; ``degrading`` and ``text`` follow from the rest: written for readers, not read back."""

    name: str
    slope: Number
    unit: str
    r_squared: Number
    limit: Number
    min_r_squared: Number
    degrading: bool = False
    text: str = ""

    def model(self) -> Trend:
        return Trend(self.name, self.slope, self.unit, self.r_squared, self.limit, self.min_r_squared)


class SoakRecord(Record, kw_only=True):
    """The verdict; ``text`` and ``degrading`` follow from its trends."""

    text: str = ""
    degrading: bool = False
    duration_s: Number
    trends: list[Any]
    """:class:`TrendRecord` entries, read one by one."""


def soak_to_dict(verdict: SoakVerdict | None) -> dict[str, Any] | None:
    """``{text, degrading, duration_s, trends: [{name, slope, unit, r_squared, limit, min_r_squared,
    degrading, text}]}``."""
    record = soak_record(verdict)
    return plain(record) if record is not None else None


def soak_record(verdict: SoakVerdict | None) -> SoakRecord | None:
    """The verdict's record; a trend with a figure that is not finite is left out."""
    if verdict is None:
        return None
    trends = [
        msgspec.convert(t, TrendRecord, from_attributes=True)
        for t in verdict.trends
        if all(math.isfinite(n) for n in (t.slope, t.r_squared, t.limit, t.min_r_squared))
    ]
    return SoakRecord(
        text=verdict.text, degrading=verdict.degrading, duration_s=verdict.duration_s, trends=trends
    )


def soak_from_dict(data: object) -> SoakVerdict | None:
    record = decode_or_none(data, SoakRecord)
    if record is None:
        return None
    return SoakVerdict(tuple(t.model() for t in decode_each(record.trends, TrendRecord)), record.duration_s)
