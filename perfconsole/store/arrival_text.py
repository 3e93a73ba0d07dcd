"""Arrival-rate figures as text: the run's line and the table per rate level (summary, detail view)."""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.model.arrival import ArrivalFigures
from perfconsole.model.run import RunResult
from perfconsole.model.stages import StageStats

TITLE = "Arrival rate (iterations/s; start lag: scheduled to actual start)"


def _lag(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.1f}"


def figures_line(f: ArrivalFigures, requests_per_s: float) -> str:
    return (
        f"target {f.target_rate:.1f}/s, achieved {f.achieved_rate:.1f} it/s ({requests_per_s:.1f} req/s), "
        f"dropped {f.dropped} ({f.dropped_pct:.2f}%), start lag p95 {_lag(f.start_lag_p95_ms)} ms"
    )


def arrival_lines(result: RunResult) -> list[str]:
    """The run's figures and one row a rate level; nothing for a closed-model run."""
    run = result.arrival
    if run is None:
        return []
    span = run.figures.duration_s
    rps = result.final.total.num_requests / span if span > 0 else 0.0
    arrivals = "Poisson" if run.poisson else "constant spacing"
    lines = [
        TITLE,
        f"  {figures_line(run.figures, rps)}",
        f"  pool: peak {run.peak_pool} of max {run.max_users} users; arrivals: {arrivals}",
    ]
    rows = [s for s in result.stages if s.arrival is not None]
    if rows:
        lines += stage_rows(rows)
    return lines


def stage_rows(stages: Iterable[StageStats]) -> list[str]:
    head = (
        f"  {'#':>2} {'Level':<20} {'Time (s)':>9} {'target':>7} {'it/s':>7} {'req/s':>7} {'dropped':>7} "
        f"{'lag p95':>7}"
    )
    lines = [head, "  " + "-" * (len(head) - 2)]
    for s in stages:
        a = s.arrival
        assert a is not None
        label = s.label if len(s.label) <= 20 else s.label[:19] + "…"
        span = f"{s.start_s:.0f}-{s.end_s:.0f}"
        lines.append(
            f"  {s.index:>2} {label:<20} {span:>9} {a.target_rate:>7.1f} {a.achieved_rate:>7.1f} "
            f"{s.rps:>7.1f} {a.dropped:>7} {_lag(a.start_lag_p95_ms):>7}"
        )
    return lines
