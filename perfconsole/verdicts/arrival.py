"""Arrival-rate thresholds: dropped iterations and start lag of the whole run. Pure.

Checked only when the run used an arrival rate (a closed-model run has neither figure).
"""

from __future__ import annotations

from perfconsole.config import Limits
from perfconsole.model.arrival import ArrivalRun
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
