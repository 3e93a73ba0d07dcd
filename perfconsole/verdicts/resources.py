"""Resource thresholds checked like latency ones, giving ``ThresholdResult`` (endpoint ``resources``).

A limit whose figure was never measured (no target process found, no metrics scraped) yields no result:
an unmeasured resource neither passes nor fails a run.
"""

from __future__ import annotations

from perfconsole.config import ResourceThresholds
from perfconsole.model.run import ThresholdResult
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.resources.summary import ResourcePeaks

RESOURCES_ENDPOINT = "resources"

_UNITS = {"target_cpu_pct": "%", "memory_pct": "%", "db_pool_pct": "%", "queue_depth": ""}


def evaluate_resource_thresholds(
    peaks: ResourcePeaks, limits: ResourceThresholds
) -> tuple[ThresholdResult, ...]:
    """One result per configured and measured limit; every actual must be below its limit.

    Target CPU is judged on its sustained peak (mean over a few consecutive samples) so one busy second
    does not fail a run; memory, DB pool use and queue depth on their peaks.
    """
    measured: list[tuple[str, float | None, float | None]] = [
        ("target_cpu_pct", limits.target_cpu_pct, peaks.target_cpu_sustained_pct),
        ("memory_pct", limits.memory_pct, peaks.memory_pct),
        ("db_pool_pct", limits.db_pool_pct, peaks.db_pool_pct),
        ("queue_depth", limits.queue_depth, peaks.metrics.get("queue_depth")),
    ]
    return tuple(
        ThresholdResult(
            endpoint=RESOURCES_ENDPOINT,
            metric=metric,
            limit=limit,
            actual=actual,
            passed=actual < limit,
            comparison="<",
        )
        for metric, limit, actual in measured
        if limit is not None and actual is not None
    )


def resource_verdicts(monitor: ResourceMonitor) -> tuple[ThresholdResult, ...]:
    """The limits of a monitor's options judged on the peaks it has sampled so far."""
    return evaluate_resource_thresholds(monitor.history.peaks(), monitor.options.limits)


def describe_resource_threshold(result: ThresholdResult) -> str:
    """Like ``ThresholdResult.describe`` with the right unit for resource metrics."""
    unit = _UNITS.get(result.metric, "")
    actual = "n/a" if result.actual is None else f"{result.actual:.4g}{unit}"
    verdict = "ok" if result.passed else "FAIL"
    limit = f"{result.comparison} {result.limit:g}{unit}"
    return f"{verdict} {result.endpoint} {result.metric} {actual} (limit {limit})"
