"""The capacity search's margin-scaled step (``[search] step_scale = "margin"``): a growing step shrinks with
the margin left to the closest limit. Pure logic over fake steps (real searches: test_capacity_runs.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from perfconsole.config import Limits, Search, Thresholds
from perfconsole.model.capacity import (
    Breach,
    CapacityStep,
    EndpointFigures,
    SearchMode,
    SearchState,
    StepPhase,
)
from perfconsole.model.run import AGGREGATED, Percentiles
from perfconsole.store.capacity_codec import capacity_from_dict, capacity_to_dict
from perfconsole.verdicts.capacity_search import Finish, grow_pct, next_step, summarize
from perfconsole.verdicts.capacity_step import limit_ratio, step_checks, step_thresholds

LIMIT_MS = 200.0
FIXED = Search(start=10, maximum=10_000, step_pct=100, resolution_pct=5, confirm_s=20, max_steps=60)
MARGIN = replace(FIXED, step_scale="margin")
RATE = SearchMode.RATE


def figures(requests: int, p95: float, failures: int = 0, name: str = AGGREGATED) -> EndpointFigures:
    percentiles = Percentiles(p50=p95 / 2, p90=p95, p95=p95, p99=p95, p999=p95, max=p95)
    return EndpointFigures("" if name == AGGREGATED else "GET", name, requests, failures, percentiles)


def step(index: int, level: float, p95: float, ratio: float | None, phase: StepPhase) -> CapacityStep:
    return CapacityStep(
        index=index,
        phase=phase,
        level=level,
        start_s=index * 10.0,
        measure_start_s=index * 10.0,
        end_s=index * 10.0 + 10.0,
        total=figures(int(level * 10), p95),
        limit_ratio=ratio,
    )


SLO_CAPACITY = 168.0
"""Where :func:`queueing_p95` reaches 200 ms."""


def queueing_p95(level: float, capacity: float = 210.0, base_ms: float = 40.0) -> float:
    """A target whose p95 climbs like a queue's as the load nears its capacity (past it: unbounded)."""
    return base_ms / (1 - level / capacity) if level < capacity else 10_000.0


def run_search(spec: Search) -> list[CapacityStep]:
    """Drive the planner against :func:`queueing_p95` judged by p95 < 200 ms."""
    steps: list[CapacityStep] = []
    while True:
        decision = next_step(spec, RATE, steps)
        if isinstance(decision, Finish):
            return steps
        p95 = queueing_p95(decision.level)
        made = step(len(steps) + 1, decision.level, p95, p95 / LIMIT_MS, decision.phase)
        if p95 >= LIMIT_MS:
            made = replace(made, breaches=(Breach("GET /x", "p95", p95, LIMIT_MS),))
        steps.append(made)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(0.25, 75.0), (0.9, 10.0), (0.99, 5.0), (1.4, 5.0), (0.0, 100.0), (None, 100.0)],
)
def test_the_step_is_step_pct_times_the_margin_within_the_resolution_and_step_pct(
    ratio: float | None, expected: float
) -> None:
    last = step(1, 100, 50, ratio, StepPhase.GROW)
    assert grow_pct(MARGIN, last) == pytest.approx(expected)
    assert grow_pct(FIXED, last) == 100.0


def test_margin_steps_shrink_as_the_latency_nears_its_limit() -> None:
    steps = run_search(MARGIN)
    grow = [s for s in steps if s.phase is StepPhase.GROW]
    gains = [b.level / a.level - 1 for a, b in zip(grow, grow[1:], strict=False)]
    assert gains[0] > 0.7 and gains[-1] < 0.5  # 10/s at p95 42 ms: +79 %; near 200/s: a few percent
    assert all(later <= earlier + 1e-9 for earlier, later in zip(gains, gains[1:], strict=False))
    result = summarize(RATE, SearchState.DONE, steps, MARGIN, "p95 < 200 ms")
    assert result.capacity is not None and 0.95 * SLO_CAPACITY <= result.capacity < SLO_CAPACITY


def test_margin_overshoots_less_than_doubling_and_refines_less() -> None:
    fixed, margin = run_search(FIXED), run_search(MARGIN)
    first_fail = [next(s.level for s in run if not s.passed) for run in (fixed, margin)]
    assert first_fail[0] == 320  # doubled from 160/s (p95 169 ms)
    assert first_fail[1] < SLO_CAPACITY * 1.15
    assert len(margin) < len(fixed)


def test_limit_ratio_is_the_figure_closest_to_its_limit_per_endpoint_too() -> None:
    thresholds = step_thresholds(
        Thresholds(default=Limits(p95_ms=200, error_rate_pct=1), endpoints={"/slow": Limits(p95_ms=1000)})
    )
    total = figures(1000, 100, failures=5)  # p95 0.5 of its limit, errors 0.5 % of 1 %
    endpoints = (figures(500, 150, name="/fast"), figures(500, 900, name="/slow", failures=2))
    checks = step_checks(total, endpoints, 10.0, thresholds)
    assert limit_ratio(checks) == pytest.approx(0.9)  # /slow p95 900 of 1000
    assert limit_ratio(step_checks(figures(0, 0), (), 10.0, thresholds)) == 0.0  # no data: errors 0 %
    assert limit_ratio(()) is None


def test_the_ratio_is_kept_in_capacity_json() -> None:
    steps = [step(1, 10, 50, 0.25, StepPhase.GROW)]
    result = summarize(RATE, SearchState.PARTIAL, steps, FIXED, "")
    data = capacity_to_dict(result)
    assert data is not None and data["steps"][0]["limit_ratio"] == 0.25
    read = capacity_from_dict(data)
    assert read is not None and read.steps[0].limit_ratio == 0.25
    del data["steps"][0]["limit_ratio"]  # written before the field: reads as None
    older = capacity_from_dict(data)
    assert older is not None and older.steps[0].limit_ratio is None
