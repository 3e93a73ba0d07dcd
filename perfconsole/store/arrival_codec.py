"""Arrival-rate figures in saved runs (``data.json``, the JSON summary, ``stages.csv``), declared as records.
Reading is tolerant: an entry that is not one is left out (None), never fatal."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from perfconsole.model.arrival import ArrivalFigures, ArrivalRun
from perfconsole.store.records import Number, Opt, Record, decode_or_none, plain

Second = tuple[Number, Number, int, int]
"""One second of an arrival-rate run: ``[start_s, target, started, dropped]``."""


class ArrivalFiguresRecord(Record, kw_only=True):
    """Stored counts, and the rates derived from them (what the summary shows: written, not read back)."""

    duration_s: Number
    target: Number
    started: int
    dropped: int
    start_lag_p95_ms: Opt = None
    target_rate: Opt = None
    achieved_rate: Opt = None
    dropped_rate: Opt = None
    dropped_pct: Opt = None

    @staticmethod
    def written(f: ArrivalFigures) -> dict[str, Any]:
        """The fields of ``f`` as written (rounded to 3 places; a lag that is not finite as none)."""
        rounded = ("duration_s", "target", "target_rate", "achieved_rate", "dropped_rate", "dropped_pct")
        lag = f.start_lag_p95_ms
        return {
            **{name: round(getattr(f, name), 3) for name in rounded},
            "started": f.started,
            "dropped": f.dropped,
            "start_lag_p95_ms": lag if lag is None or math.isfinite(lag) else None,
        }

    def model(self) -> ArrivalFigures:
        return ArrivalFigures(self.duration_s, self.target, self.started, self.dropped, self.start_lag_p95_ms)


class ArrivalRunRecord(ArrivalFiguresRecord, kw_only=True):
    max_users: int = 0
    peak_pool: int = 0
    arrivals: str = "constant"
    """``poisson`` or ``constant``."""
    seconds: list[Any] = []
    """:data:`Second` rows, read one by one."""


def figures_to_dict(f: ArrivalFigures) -> dict[str, Any]:
    """Stored values and the rates derived from them (what the summary shows)."""
    return plain(figures_record(f))


def figures_record(f: ArrivalFigures) -> ArrivalFiguresRecord:
    return ArrivalFiguresRecord(**ArrivalFiguresRecord.written(f))


def figures_from_dict(data: object) -> ArrivalFigures | None:
    record = decode_or_none(data, ArrivalFiguresRecord)
    return record.model() if record is not None else None


def run_to_dict(run: ArrivalRun) -> dict[str, Any]:
    return plain(run_record(run))


def run_record(run: ArrivalRun) -> ArrivalRunRecord:
    return ArrivalRunRecord(
        **ArrivalFiguresRecord.written(run.figures),
        max_users=run.max_users,
        peak_pool=run.peak_pool,
        arrivals="poisson" if run.poisson else "constant",
        seconds=[list(row) for row in run.seconds],
    )


def run_from_dict(data: object) -> ArrivalRun | None:
    record = decode_or_none(data, ArrivalRunRecord)
    if record is None:
        return None
    rows: list[Second] = []
    for row in record.seconds:
        try:
            rows.append(msgspec.convert(row, Second))
        except msgspec.ValidationError:
            continue  # a row that is not one is left out
    return ArrivalRun(
        figures=record.model(),
        max_users=record.max_users,
        peak_pool=record.peak_pool,
        poisson=record.arrivals == "poisson",
        seconds=tuple(
            (float(start), float(target), started, dropped) for start, target, started, dropped in rows
        ),
    )
