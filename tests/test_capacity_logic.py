"""The capacity search's pure logic: step judging, the next level, refinement, confirmation and step-down,
the throughput knee and the binding limit (fake steps; the real searches are in test_capacity_runs.py)."""

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
from perfconsole.verdicts.capacity_search import (
    Finish,
    NextStep,
    binding_limit,
    find_knee,
    next_step,
    summarize,
)
from perfconsole.verdicts.capacity_step import (
    DEFAULT_SLO,
    dropped_breach,
    slo_text,
    step_breaches,
    step_thresholds,
)

SPEC = Search(start=10, maximum=1000, step_pct=100, resolution_pct=5, confirm_s=20, max_steps=30)
RATE = SearchMode.RATE


def figures(requests: int, p95: float, failures: int = 0, name: str = AGGREGATED) -> EndpointFigures:
    percentiles = Percentiles(p50=p95 / 2, p90=p95, p95=p95, p99=p95 * 1.2, p999=p95 * 1.5, max=p95 * 2)
    return EndpointFigures("" if name == AGGREGATED else "GET", name, requests, failures, percentiles)


def step(
    index: int,
    level: float,
    passed: bool,
    phase: StepPhase = StepPhase.GROW,
    rps: float | None = None,
    p95: float = 50.0,
    invalid: tuple[str, ...] = (),
    generator: bool = False,
) -> CapacityStep:
    rps = level if rps is None else rps
    breaches = () if passed or invalid else (Breach("GET /x", "p95", 900.0, 500.0),)
    return CapacityStep(
        index=index,
        phase=phase,
        level=level,
        start_s=index * 10.0,
        measure_start_s=index * 10.0,
        end_s=index * 10.0 + 10.0,
        total=figures(int(rps * 10), p95),
        breaches=breaches,
        invalid=invalid,
        generator_limited=generator,
    )


def run_search(
    capacity: float, spec: Search = SPEC, hold_fails_at: float | None = None
) -> list[CapacityStep]:
    """Drive the planner against a target that passes below ``capacity`` (a hold at ``hold_fails_at``
    fails even so)."""
    steps: list[CapacityStep] = []
    while True:
        decision = next_step(spec, RATE, steps)
        if isinstance(decision, Finish):
            return steps
        confirm_fail = decision.phase is StepPhase.CONFIRM and decision.level == hold_fails_at
        passed = decision.level < capacity and not confirm_fail
        steps.append(step(len(steps) + 1, decision.level, passed, decision.phase))


def test_grows_by_doubling_then_refines_to_the_resolution_and_confirms() -> None:
    steps = run_search(capacity=170)
    levels = [(s.phase.value, s.level) for s in steps]
    assert levels[:6] == [
        ("grow", 10),
        ("grow", 20),
        ("grow", 40),
        ("grow", 80),
        ("grow", 160),
        ("grow", 320),
    ]
    refine = [s for s in steps if s.phase is StepPhase.REFINE]
    assert refine and all(160 < s.level < 320 for s in refine)
    confirm = steps[-1]
    assert confirm.phase is StepPhase.CONFIRM and confirm.passed
    result = summarize(RATE, SearchState.DONE, steps, SPEC, "p95 < 500 ms")
    assert result.capacity == confirm.level and result.confirmed
    assert 170 * 0.95 <= result.capacity < 170
    fails = [s.level for s in steps if not s.passed]
    assert (min(fails) - result.capacity) / min(fails) <= 0.05


def test_a_step_percentage_grows_by_that_much() -> None:
    steps = run_search(capacity=35, spec=replace(SPEC, step_pct=50))
    assert [s.level for s in steps[:4]] == [10, 15, 22.5, 33.8]


def test_finer_resolution_takes_more_steps() -> None:
    coarse = run_search(capacity=170, spec=replace(SPEC, resolution_pct=20))
    fine = run_search(capacity=170, spec=replace(SPEC, resolution_pct=2))
    assert len(fine) > len(coarse)


def test_a_failed_hold_steps_down_and_says_so() -> None:
    first = run_search(capacity=170)
    held = first[-1].level
    steps = run_search(capacity=170, hold_fails_at=held)
    result = summarize(RATE, SearchState.DONE, steps, SPEC, "")
    assert result.stepped_down and result.confirmed
    assert result.capacity is not None and result.capacity < held
    assert any("stepped down" in note and f"{held:g}" in note for note in result.notes)


def test_no_confirmation_hold_when_confirm_is_zero() -> None:
    steps = run_search(capacity=170, spec=replace(SPEC, confirm_s=0))
    assert all(s.phase is not StepPhase.CONFIRM for s in steps)
    result = summarize(RATE, SearchState.DONE, steps, replace(SPEC, confirm_s=0), "")
    assert result.capacity is not None and not result.confirmed


def test_lowest_level_failing_finds_no_capacity() -> None:
    steps = run_search(capacity=5)
    assert [(s.level, s.passed) for s in steps] == [(10, False), (10, False)]  # held again once
    decision = next_step(SPEC, RATE, steps)
    assert isinstance(decision, Finish) and "lowest level" in decision.note
    result = summarize(RATE, SearchState.DONE, steps, SPEC, "", (decision.note,))
    assert result.capacity is None and result.answer.startswith("no capacity found")


def test_maximum_passing_is_confirmed_and_said() -> None:
    spec = replace(SPEC, maximum=100)
    steps = run_search(capacity=10_000, spec=spec)
    assert [s.level for s in steps] == [10, 20, 40, 80, 100, 100]
    assert steps[-1].phase is StepPhase.CONFIRM


def test_users_levels_are_whole_and_stop_one_apart() -> None:
    spec = replace(SPEC, start=1, resolution_pct=1, confirm_s=0)
    steps: list[CapacityStep] = []
    while not isinstance(decision := next_step(spec, SearchMode.USERS, steps), Finish):
        assert decision.level == int(decision.level)
        steps.append(step(len(steps) + 1, decision.level, decision.level <= 13))
    result = summarize(SearchMode.USERS, SearchState.DONE, steps, spec, "")
    assert result.capacity == 13


def test_generator_limited_twice_ends_the_search_without_a_capacity() -> None:
    saturated = ("generator saturated: worker CPU >= 90%",)
    steps = [step(1, 10, True), step(2, 20, False, invalid=saturated, generator=True)]
    assert next_step(SPEC, RATE, steps) == NextStep(StepPhase.GROW, 20)  # held once more
    steps.append(step(3, 20, False, invalid=saturated, generator=True))
    decision = next_step(SPEC, RATE, steps)
    assert decision == Finish(SearchState.SATURATED, "the load generator was the limit at step 3")
    result = summarize(RATE, decision.state, steps, SPEC, "")
    assert result.capacity is None and "generator" in result.answer
    assert result.binding is not None and result.binding.side == "generator"


def test_max_steps_bounds_the_search() -> None:
    spec = replace(SPEC, max_steps=3)
    steps = run_search(capacity=170, spec=spec)
    assert len(steps) == 3


def test_knee_where_throughput_stops_growing_while_latency_climbs() -> None:
    steps = [
        step(1, 50, True, rps=50, p95=40),
        step(2, 100, True, rps=100, p95=41),
        step(3, 200, True, rps=190, p95=60),
        step(4, 400, False, rps=200, p95=900),
    ]
    knee = find_knee(steps, 0.5, RATE)
    assert knee is not None and knee.level == 200 and knee.rps == 200
    # throughput that keeps growing has no knee; nor does flat throughput at a flat latency
    assert find_knee(steps[:3], 0.5, RATE) is None
    flat = [step(1, 50, True, rps=50, p95=40), step(2, 100, True, rps=52, p95=40)]
    assert find_knee(flat, 0.5, RATE) is None


def test_binding_limit_is_the_worst_breach_of_the_first_failing_step() -> None:
    first_fail = replace(
        step(3, 40, False),
        breaches=(Breach("Aggregated", "p95", 600, 500), Breach("GET /login", "p99", 2000, 800)),
    )
    steps = [step(1, 10, True), step(2, 20, True), first_fail, step(4, 30, False)]
    binding = binding_limit(steps)
    assert binding is not None
    assert (binding.step, binding.breach.endpoint, binding.breach.metric, binding.side) == (
        3,
        "GET /login",
        "p99",
        "target",
    )
    assert "GET /login p99 2000 ms > 800 ms at step 3" in binding.text
    assert binding_limit(steps[:2]) is None


def test_step_judging_uses_the_limits_in_force_per_endpoint() -> None:
    thresholds = step_thresholds(
        Thresholds(
            default=Limits(p95_ms=200, min_rps=50),
            endpoints={"/slow*": Limits(p95_ms=1000)},
        )
    )
    assert thresholds.default.min_rps is None  # a floor is the run's, not a step's
    total = figures(1000, 150)
    endpoints = (figures(500, 100, name="/fast"), figures(500, 900, name="/slow"))
    assert step_breaches(total, endpoints, 10.0, thresholds) == ()
    endpoints = (figures(500, 300, name="/fast"), figures(500, 900, name="/slow"))
    breaches = step_breaches(total, endpoints, 10.0, thresholds)
    assert [(b.endpoint, b.metric) for b in breaches] == [("GET /fast", "p95")]
    failing = step_breaches(figures(100, 50, failures=5), (), 10.0, step_thresholds(Thresholds()))
    assert [(b.metric, b.actual) for b in failing] == [("error_rate", 5.0)]


def test_default_slo_when_no_limit_is_configured() -> None:
    assert step_thresholds(Thresholds()).default == DEFAULT_SLO
    assert slo_text(step_thresholds(Thresholds())) == "p95 < 500 ms, error rate < 1 %"
    configured = step_thresholds(Thresholds(default=Limits(p99_ms=300)))
    assert slo_text(configured) == "p99 < 300 ms"


@pytest.mark.parametrize(
    ("dropped", "limit", "expected"), [(0.5, None, False), (3.0, None, True), (3, 5, False)]
)
def test_dropped_iterations_beyond_the_limit_invalidate(
    dropped: float, limit: float | None, expected: bool
) -> None:
    thresholds = Thresholds(default=Limits(dropped_pct=limit))
    assert (dropped_breach(dropped, thresholds) is not None) is expected


def test_step_lines() -> None:
    ok = step(6, 240, True, p95=180)
    assert ok.line() == "step 6: 240/s -> 240 req/s, p95 180 ms ✓"
    bad = step(7, 280, False, p95=620)
    assert bad.line().endswith("✗ GET /x p95 900 ms > 500 ms")
    assert isinstance(next_step(SPEC, RATE, []), NextStep)


def test_a_generator_limited_step_that_passes_when_held_again_does_not_count_as_a_fail() -> None:
    lagging = ("generator lagging: worker event loop 372 ms late for 3 s",)
    steps = [step(1, 10, False, invalid=lagging, generator=True), step(2, 10, True)]
    assert next_step(SPEC, RATE, steps) == NextStep(StepPhase.GROW, 20)


def test_a_failing_growth_step_is_held_again_and_a_stall_does_not_end_the_search() -> None:
    stalled = [step(1, 10, True), step(2, 20, True), step(3, 40, False)]
    assert next_step(SPEC, RATE, stalled) == NextStep(StepPhase.GROW, 40)
    # it passes when held again: the growth goes on, and the answer does not stop at the stall
    steps = [*stalled, step(4, 40, True)]
    assert next_step(SPEC, RATE, steps) == NextStep(StepPhase.GROW, 80)
    steps += [step(5, 80, False), step(6, 80, False)]
    assert next_step(SPEC, RATE, steps) == NextStep(StepPhase.REFINE, 60)
    steps += [step(7, 60, True, StepPhase.REFINE)]
    result = summarize(RATE, SearchState.PARTIAL, steps, SPEC, "")
    assert result.capacity == 60
    assert result.binding is not None and result.binding.step == 5  # not the stalled step 3
    assert "step 3 (40/s) failed, and passed when held again" in result.notes
    # a refine's or a hold's fail is not held again
    assert next_step(SPEC, RATE, [*steps, step(8, 70, False, StepPhase.REFINE)]) == NextStep(
        StepPhase.REFINE, 65
    )


def test_capacity_round_trips_through_its_codec() -> None:
    from perfconsole.store.capacity_codec import capacity_from_dict, capacity_json, capacity_to_dict

    steps = run_search(capacity=170)
    result = summarize(RATE, SearchState.DONE, steps, SPEC, "p95 < 500 ms", ("a note",), 1.0, 95.0)
    assert capacity_from_dict(capacity_to_dict(result)) == result
    assert capacity_from_dict({"steps": "garbage"}) is None and capacity_from_dict(None) is None
    assert '"answer": "SLO capacity' in capacity_json(result)


def test_require_capacity_exit_code_and_its_place_in_the_order() -> None:
    from test_store_factories import make_result

    from perfconsole.headless.exit_status import exit_status
    from perfconsole.model.run import ThresholdResult
    from perfconsole.verdicts.capacity_search import capacity_shortfall

    result = summarize(RATE, SearchState.DONE, run_search(capacity=170), SPEC, "")
    assert capacity_shortfall(result, 100) is None
    short = capacity_shortfall(result, 500)
    assert short == "SLO capacity 165 req/s is below the required 500 req/s"
    none = summarize(RATE, SearchState.DONE, run_search(capacity=5), SPEC, "", ("the lowest level failed",))
    assert (capacity_shortfall(none, 1) or "").startswith("no SLO capacity found")
    failed = ThresholdResult("Aggregated", "p95", 500.0, 900.0, False, "<")
    run = replace(make_result(), thresholds=(failed,), capacity=result)
    assert exit_status(run, capacity_short=short).code == 13  # the overloaded run's own p95 sets no 10
    assert exit_status(run, capacity_short=short, regressed=True).code == 11
    assert exit_status(replace(run, capacity=None)).code == 10
    assert exit_status(run).code == 0
