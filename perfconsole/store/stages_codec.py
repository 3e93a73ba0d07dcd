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
from perfconsole.store.arrival_codec import figures_from_dict, figures_to_dict
from perfconsole.store.records import Number, Opt, PercentilesRecord, Record, decode, encode
from perfconsole.store.schema import CodecError

STAGES_CSV = "stages.csv"
LABELS = tuple(f.encode_name for f in msgspec.structs.fields(PercentilesRecord))
"""``p50`` .. ``p99.9``, ``max``: the stored percentiles' keys."""
CSV_COLUMNS = [
    "Stage",
    "Label",
    "Kind",
    "Start (s)",
    "End (s)",
    "Request Count",
    "Failure Count",
    "Requests/s",
    "50%",
    "90%",
    "95%",
    "99%",
    "99.9%",
    "Max Response Time",
]


class StageRecord(Record, kw_only=True, omit_defaults=True):
    """A stage in data.json (``rps`` is derived: written, not read back)."""

    index: int
    label: str
    kind: str
    start_s: Number
    end_s: Number
    requests: int
    failures: int
    rps: Opt = None
    percentiles: PercentilesRecord
    arrival: Any = None
    """The arrival codec's figures (absent without a rate)."""


def stage_to_dict(stage: StageStats) -> dict[str, Any]:
    data: dict[str, Any] = encode(stage, StageRecord, arrival=None)
    return {**data, "arrival": figures_to_dict(stage.arrival)} if stage.arrival is not None else data


def stage_summary(stage: StageStats) -> dict[str, Any]:
    """The summary's flat form: ``p50_ms`` .. ``max_ms`` like its endpoints."""
    flat = {k: v for k, v in stage_to_dict(stage).items() if k not in ("percentiles", "arrival")}
    if stage.arrival is not None:
        flat["arrival"] = figures_to_dict(stage.arrival)
    flat["error_rate_pct"] = 100.0 * stage.fail_ratio
    for label, value in encode(stage.percentiles, PercentilesRecord).items():
        flat[f"{label}_ms"] = value
    return flat


def stage_from_dict(data: object) -> StageStats | None:
    """A stage as written by :func:`stage_to_dict`, or None if it is not one."""
    try:
        r = decode(data, StageRecord)
    except CodecError:
        return None
    return StageStats(
        index=r.index,
        label=r.label,
        kind=r.kind,
        start_s=r.start_s,
        end_s=r.end_s,
        requests=r.requests,
        failures=r.failures,
        percentiles=r.percentiles.model(),
        arrival=figures_from_dict(r.arrival),
    )


def stages_from_list(data: object) -> tuple[StageStats, ...]:
    if not isinstance(data, list):
        return ()
    found = (stage_from_dict(item) for item in data)
    return tuple(stage for stage in found if stage is not None)


def _ms(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def stages_csv(stages: Iterable[StageStats]) -> str:
    """``stages.csv``: one row a stage, Locust's column style, times in ms; an arrival-rate run adds the
    target and achieved iterations/s, dropped iterations and start lag p95 of each stage (empty for a stage
    without a rate)."""
    rows = list(stages)
    arrival = any(s.arrival is not None for s in rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + (ARRIVAL_CSV_COLUMNS if arrival else []))
    for s in rows:
        p = s.percentiles
        writer.writerow(
            [s.index, s.label, s.kind, f"{s.start_s:.1f}", f"{s.end_s:.1f}", s.requests, s.failures]
            + [f"{s.rps:.2f}"]
            + [("N/A" if p.get(label) is None else f"{p.get(label):.3f}") for label in LABELS]
            + (_arrival_cells(s) if arrival else [])
        )
    return out.getvalue()


ARRIVAL_CSV_COLUMNS = ["Target Iterations/s", "Iterations/s", "Dropped Iterations", "Start Lag 95% (ms)"]


def _arrival_cells(stage: StageStats) -> list[str]:
    a = stage.arrival
    if a is None:
        return ["", "", "", ""]
    lag = "N/A" if a.start_lag_p95_ms is None else f"{a.start_lag_p95_ms:.3f}"
    return [f"{a.target_rate:.2f}", f"{a.achieved_rate:.2f}", str(a.dropped), lag]


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
