"""Comparing two runs stage by stage: only when both have the same stages (labels and kinds, in order)."""

from __future__ import annotations

import math

from perfconsole.model.run import EndpointStats, RunResult
from perfconsole.model.stages import StageStats, stage_row_key


def stages_of(side: object) -> tuple[StageStats, ...]:
    """The stages of a loaded run or a result (none for a live snapshot or a list of endpoints)."""
    result = getattr(side, "result", side)
    return result.stages if isinstance(result, RunResult) else ()


def as_endpoint(stage: StageStats) -> EndpointStats:
    """A stage as an endpoint-like row, so the comparison's metrics apply (no average: not compared)."""
    return EndpointStats(
        method="",
        name=stage_row_key(stage.index, stage.label),
        num_requests=stage.requests,
        num_failures=stage.failures,
        avg_ms=math.nan,
        min_ms=None,
        max_ms=stage.percentiles.max or 0.0,
        median_ms=stage.percentiles.p50 or 0.0,
        avg_content_length=0.0,
        total_rps=stage.rps,
        current_rps=0.0,
        current_fail_per_sec=0.0,
        total_fail_per_sec=0.0,
        cumulative=stage.percentiles,
        current=stage.percentiles,
    )


def matching_stages(baseline: object, current: object) -> list[tuple[EndpointStats, EndpointStats]]:
    """Pairs of stage rows when both runs have the same two or more stages, else none."""
    base, cur = stages_of(baseline), stages_of(current)
    if len(base) < 2 or [(s.label, s.kind) for s in base] != [(s.label, s.kind) for s in cur]:
        return []
    return [(as_endpoint(b), as_endpoint(c)) for b, c in zip(base, cur, strict=True)]
