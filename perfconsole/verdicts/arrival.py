"""Arrival-rate thresholds: dropped iterations and start lag of the whole run. Pure.

Checked only when the run used an arrival rate (a closed-model run has neither figure).
"""

from __future__ import annotations

from perfconsole.config import Limits
from perfconsole.model.arrival import ArrivalRun, ArrivalStatus
from perfconsole.model.run import AGGREGATED, ThresholdResult

DROPPED_METRIC = "dropped_pct"
START_LAG_METRIC = "start_lag_p95_ms"


def arrival_verdicts(run: ArrivalRun | None, limits: Limits) -> tuple[ThresholdResult, ...]:
    """``dropped_pct`` and ``start_lag_p95_ms`` (each below its limit), where set."""
    if run is None:
        return ()
    figures = run.figures
    checked: list[ThresholdResult] = []
    if limits.dropped_pct is not None:
        actual = figures.dropped_pct if figures.started + figures.dropped else None
        checked.append(_result(DROPPED_METRIC, limits.dropped_pct, actual))
    if limits.start_lag_p95_ms is not None:
        checked.append(_result(START_LAG_METRIC, limits.start_lag_p95_ms, figures.start_lag_p95_ms))
    return tuple(checked)


def _result(metric: str, limit: float, actual: float | None) -> ThresholdResult:
    return ThresholdResult(
        endpoint=AGGREGATED,
        metric=metric,
        limit=float(limit),
        actual=actual,
        passed=actual is not None and actual < limit,
    )


KEEPING_UP = "keeping up"
TARGET_BOUND = "target-bound"
GENERATOR_BOUND = "generator-bound"
POOL_CEILING = "pool ceiling reached"
LAG_LIMIT_MS = 50.0
"""A start lag p95 above this means iterations start late."""
CPU_LIMIT_PCT = 90.0
"""A worker this busy (or more) cannot keep its schedule."""


def rate_verdict(
    status: ArrivalStatus, worker_cpu_pct: float | None, latency_rising: bool, pool_growing: bool
) -> tuple[str, str]:
    """What limits an arrival-rate run now, in plain words, and why: ``pool ceiling reached`` (iterations
    dropped with every allowed user in use), ``generator-bound`` (a worker's CPU at 90 % or more, or starts
    late while users sit idle), ``target-bound`` (the target's latency rising and the pool growing, or every
    user busy), else ``keeping up``."""
    lag = status.start_lag_p95_ms
    late = lag is not None and lag > LAG_LIMIT_MS
    if status.dropped_rate > 0 and status.pool >= status.max_users:
        return POOL_CEILING, f"{status.dropped_rate:.0f}/s dropped with all {status.max_users} users in use"
    if worker_cpu_pct is not None and worker_cpu_pct >= CPU_LIMIT_PCT:
        return GENERATOR_BOUND, f"a worker's CPU at {worker_cpu_pct:.0f}%"
    if late and status.busy < status.pool and not pool_growing:
        return GENERATOR_BOUND, f"start lag p95 {lag:.0f} ms with idle users"
    if latency_rising and pool_growing:
        return TARGET_BOUND, "latency rising, pool growing"
    if late or status.dropped_rate > 0:
        return TARGET_BOUND, "every user busy: iterations wait for one"
    return KEEPING_UP, f"{status.achieved_rate:.0f} of {status.target_rate:.0f}/s started on time"
