"""Stats per stage in saved runs (``data.json``, the JSON summary, ``stages.csv``).

Reading is tolerant: a stage entry that is not what this module writes is left out, never fatal (runs saved
before stages existed have none).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import msgspec

from perfconsole.model.stages import StageStats
from perfconsole.store.arrival_codec import (
    ArrivalFiguresRecord,
    figures_from_dict,
    figures_record,
    figures_to_dict,
)
from perfconsole.store.records import Number, Opt, PercentilesRecord, Record, decode_each, encode

STAGES_CSV = "stages.csv"
LABELS = tuple(f.encode_name for f in msgspec.structs.fields(PercentilesRecord))
"""``p50`` .. ``p99.9``, ``max``: the stored percentiles' keys."""


class StageFigures(Record, kw_only=True, omit_defaults=True):
    """What every form of a stage holds (``rps`` is derived: written, not read back)."""

    index: int
    label: str
    kind: str
    start_s: Number
    end_s: Number
    requests: int
    failures: int
    rps: Opt = None


class StageRecord(StageFigures, kw_only=True, omit_defaults=True):
    """A stage in data.json."""

    percentiles: PercentilesRecord
    arrival: Any = None
    """The arrival codec's figures (absent without a rate)."""

    def model(self) -> StageStats:
        return StageStats(
            **{name: getattr(self, name) for name in StageFigures.__struct_fields__ if name != "rps"},
            percentiles=self.percentiles.model(),
            arrival=figures_from_dict(self.arrival),
        )


class StageSummary(StageFigures, kw_only=True, omit_defaults=True):
    """A stage in the JSON summary: flat, ``p50_ms`` .. ``max_ms`` like its endpoints."""

    error_rate_pct: Number
    p50_ms: Opt
    p90_ms: Opt
    p95_ms: Opt
    p99_ms: Opt
    p999_ms: Opt = msgspec.field(name="p99.9_ms")
    max_ms: Opt
    arrival: ArrivalFiguresRecord | None = None
    """Absent without a rate."""


class StageCsvRow(Record, array_like=True):
    """A row of ``stages.csv`` (Locust's column style, times in ms); the names are its header."""

    index: int = msgspec.field(name="Stage")
    label: str = msgspec.field(name="Label")
    kind: str = msgspec.field(name="Kind")
    start_s: str = msgspec.field(name="Start (s)")
    end_s: str = msgspec.field(name="End (s)")
    requests: int = msgspec.field(name="Request Count")
    failures: int = msgspec.field(name="Failure Count")
    rps: str = msgspec.field(name="Requests/s")
    p50: str = msgspec.field(name="50%")
    p90: str = msgspec.field(name="90%")
    p95: str = msgspec.field(name="95%")
    p99: str = msgspec.field(name="99%")
    p999: str = msgspec.field(name="99.9%")
    max: str = msgspec.field(name="Max Response Time")


class ArrivalCsvCells(Record, array_like=True):
    """The columns an arrival-rate run adds to ``stages.csv`` (empty for a stage without a rate)."""

    target_rate: str = msgspec.field(default="", name="Target Iterations/s")
    achieved_rate: str = msgspec.field(default="", name="Iterations/s")
    dropped: str = msgspec.field(default="", name="Dropped Iterations")
    start_lag_p95_ms: str = msgspec.field(default="", name="Start Lag 95% (ms)")


CSV_COLUMNS = [f.encode_name for f in msgspec.structs.fields(StageCsvRow)]
ARRIVAL_CSV_COLUMNS = [f.encode_name for f in msgspec.structs.fields(ArrivalCsvCells)]


def stage_to_dict(stage: StageStats) -> dict[str, Any]:
    data: dict[str, Any] = encode(stage, StageRecord, arrival=None)
    return {**data, "arrival": figures_to_dict(stage.arrival)} if stage.arrival is not None else data


def stage_summary(stage: StageStats) -> StageSummary:
    """The summary's flat form of a stage."""
    p = stage.percentiles
    return StageSummary(
        **{name: getattr(stage, name) for name in StageFigures.__struct_fields__},
        error_rate_pct=100.0 * stage.fail_ratio,
        p50_ms=p.p50,
        p90_ms=p.p90,
        p95_ms=p.p95,
        p99_ms=p.p99,
        p999_ms=p.p999,
        max_ms=p.max,
        arrival=figures_record(stage.arrival) if stage.arrival is not None else None,
    )


def stages_from_list(data: object) -> tuple[StageStats, ...]:
    """The stages of a list that are one (what :func:`stage_to_dict` writes); the rest are left out."""
    return tuple(record.model() for record in decode_each(data, StageRecord))


def _ms(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def stages_csv(stages: Iterable[StageStats]) -> str:
    """``stages.csv``: one :class:`StageCsvRow` a stage; an arrival-rate run adds the target and achieved
    iterations/s, dropped iterations and start lag p95 of each stage (:class:`ArrivalCsvCells`)."""
    rows = list(stages)
    arrival = any(s.arrival is not None for s in rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + (ARRIVAL_CSV_COLUMNS if arrival else []))
    for s in rows:
        cells = msgspec.to_builtins(_csv_row(s)) + (msgspec.to_builtins(_arrival_cells(s)) if arrival else [])
        writer.writerow(cells)
    return out.getvalue()


def _csv_row(s: StageStats) -> StageCsvRow:
    p = s.percentiles
    cells = ("N/A" if p.get(label) is None else f"{p.get(label):.3f}" for label in LABELS)
    return StageCsvRow(
        s.index,
        s.label,
        s.kind,
        f"{s.start_s:.1f}",
        f"{s.end_s:.1f}",
        s.requests,
        s.failures,
        f"{s.rps:.2f}",
        *cells,
    )


def _arrival_cells(stage: StageStats) -> ArrivalCsvCells:
    a = stage.arrival
    if a is None:
        return ArrivalCsvCells()
    lag = "N/A" if a.start_lag_p95_ms is None else f"{a.start_lag_p95_ms:.3f}"
    return ArrivalCsvCells(f"{a.target_rate:.2f}", f"{a.achieved_rate:.2f}", str(a.dropped), lag)


def stages_table(stages: Iterable[StageStats]) -> list[str]:
    """The headless summary's section (also fits the console's 80 columns)."""
    rows = list(stages)
    if not rows:
        return []
    head = (
        f"{'#':>2} {'Stage':<22} {'Time (s)':>9} {'# reqs':>7} {'fail%':>6} {'req/s':>7} "
        f"{'p50':>6} {'p95':>6} {'p99':>6}"
    )
    lines = ["Stages (percentiles in ms)", head, "-" * len(head)]
    for s in rows:
        label = s.label if len(s.label) <= 22 else s.label[:21] + "…"
        span = f"{s.start_s:.0f}-{s.end_s:.0f}"
        p = s.percentiles
        lines.append(
            f"{s.index:>2} {label:<22} {span:>9} {s.requests:>7} {s.fail_ratio * 100:>6.1f} {s.rps:>7.1f} "
            f"{_ms(p.p50):>6} {_ms(p.p95):>6} {_ms(p.p99):>6}"
        )
    return lines
