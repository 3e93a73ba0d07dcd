"""The capacity search's decisions over its steps so far: the next level, the two answers, the binding
limit. Pure (the engine's ``engine/search/driver.py`` holds the levels and measures the steps).

- Grow from ``start`` by ``step_pct`` (100: doubling) until the first failing step (or ``maximum``); with
  ``step_scale = "margin"`` by ``step_pct`` times the last step's remaining margin to its closest limit.
- Refine between the highest pass below the lowest fail and that fail, halving the gap until it is within
  ``resolution_pct`` of the fail (one user, in users mode).
- Hold the best passing level for ``confirm_s``; a failed hold makes that level a fail, so the search goes
  on below it (stepped down, said in the notes) until a hold passes.
- A step the load generator limited (saturated or lagging) is held again; limited twice in a row, the search
  ends: no capacity of the target (the generator's, which it cannot tell).
- A failing growth step is held again once before it ends the growth: a stall of a busy machine is not the
  target's limit. A level counts by its latest judged step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from perfconsole.config import Search
from perfconsole.model.capacity import (
    INVALID_METRIC,
    BindingLimit,
    Breach,
    CapacityResult,
    CapacityStep,
    Knee,
    SearchMode,
    SearchState,
    StepPhase,
)


@dataclass(frozen=True, slots=True)
class NextStep:
    phase: StepPhase
    level: float


@dataclass(frozen=True, slots=True)
class Finish:
    state: SearchState
    note: str = ""


def rounded(level: float, mode: SearchMode) -> float:
    """Users are whole; rates keep one decimal."""
    return float(max(1, round(level))) if mode is SearchMode.USERS else max(0.1, round(level, 1))


def converged(lo: float, hi: float, spec: Search, mode: SearchMode) -> bool:
    """The last pass and the first fail are within the resolution (or one unit apart)."""
    if hi <= lo:
        return True
    middle = rounded((lo + hi) / 2, mode)
    return (hi - lo) / hi <= spec.resolution_pct / 100 or middle in (lo, hi)


def grow_pct(spec: Search, last: CapacityStep) -> float:
    """The growth after ``last`` (a pass), in percent: ``step_pct``, or with ``step_scale = "margin"``
    ``step_pct`` times the margin left to the closest limit (p95 50 ms of 200: 0.75), within
    [``resolution_pct``, ``step_pct``] (a finer step than the resolution cannot sharpen the answer)."""
    if spec.step_scale != "margin" or last.limit_ratio is None:
        return spec.step_pct
    margin = max(0.0, 1.0 - last.limit_ratio)
    return min(spec.step_pct, max(spec.resolution_pct, spec.step_pct * margin))


def next_step(spec: Search, mode: SearchMode, steps: Sequence[CapacityStep]) -> NextStep | Finish:
    """What to do after ``steps``: hold another level, or finish (and why)."""
    if not steps:
        return NextStep(StepPhase.GROW, rounded(spec.start, mode))
    last = steps[-1]
    if last.generator_limited:
        before = steps[-2] if len(steps) > 1 else None
        if before is not None and before.generator_limited and before.level == last.level:
            return Finish(SearchState.SATURATED, f"the load generator was the limit at step {last.index}")
        if len(steps) < spec.max_steps:
            return NextStep(last.phase, last.level)  # once more: a moment's starved CPU is not a limit
    if last.phase is StepPhase.CONFIRM and last.passed:
        return Finish(SearchState.DONE)
    if len(steps) >= spec.max_steps:
        return Finish(SearchState.DONE, f"stopped after {spec.max_steps} steps (search.max_steps)")
    if last.phase is StepPhase.GROW and not last.passed and not last.generator_limited:
        if not any(s.level == last.level and not s.generator_limited for s in steps[:-1]):
            return NextStep(StepPhase.GROW, last.level)  # once more: one stall does not end the growth
    judged = latest_judged(steps)
    fails = [s.level for s in judged if not s.passed]
    passes = [s.level for s in judged if s.passed]
    if not fails:
        if last.level >= spec.maximum:
            note = f"the maximum ({spec.maximum:g}{mode.unit}) passed: the capacity is at least that"
            return _confirm(spec, last.level, note)
        grown = rounded(last.level * (1 + grow_pct(spec, last) / 100), mode)
        return NextStep(StepPhase.GROW, min(max(grown, last.level + 1), spec.maximum))
    hi = min(fails)
    below = [level for level in passes if level < hi]
    if not below:
        return Finish(SearchState.DONE, f"the lowest level tried ({hi:g}{mode.unit}) failed")
    lo = max(below)
    if not converged(lo, hi, spec, mode):
        return NextStep(StepPhase.REFINE, rounded((lo + hi) / 2, mode))
    return _confirm(spec, lo, "")


def _confirm(spec: Search, level: float, note: str) -> NextStep | Finish:
    if spec.confirm_s <= 0:
        return Finish(SearchState.DONE, note)
    return NextStep(StepPhase.CONFIRM, level)


def latest_judged(steps: Sequence[CapacityStep]) -> list[CapacityStep]:
    """The latest step of each level the generator did not limit: a failing step held again and passing
    counts as a pass (and a passing level whose hold failed as a fail)."""
    latest: dict[float, CapacityStep] = {}
    for step in steps:
        if not step.generator_limited:
            latest[step.level] = step
    return list(latest.values())


def overturned(steps: Sequence[CapacityStep]) -> list[CapacityStep]:
    """Failing steps that passed when their level was held again."""
    final = {s.level: s for s in latest_judged(steps)}
    return [s for s in steps if not s.passed and not s.generator_limited and final[s.level].passed]


# ------------------------------------------------------------------------------------------------ answers
def capacity_of(steps: Sequence[CapacityStep]) -> tuple[CapacityStep | None, bool]:
    """The step that stands for the SLO capacity and whether a confirmation hold passed there: the highest
    passed hold, else (no hold yet) the highest pass below the lowest fail."""
    holds = [s for s in steps if s.phase is StepPhase.CONFIRM and s.passed]
    if holds:
        return max(holds, key=lambda s: (s.level, s.index)), True
    fails = [s.level for s in latest_judged(steps) if not s.passed]
    hi = min(fails) if fails else float("inf")
    below = [s for s in steps if s.passed and s.level < hi]
    if not below:
        return None, False
    return max(below, key=lambda s: (s.level, s.index)), False


def measured_by_level(steps: Sequence[CapacityStep]) -> list[CapacityStep]:
    """The latest valid step of each level, by level (what the knee curve is drawn from)."""
    latest: dict[float, CapacityStep] = {}
    for step in steps:
        if not step.invalid and step.total.requests:
            latest[step.level] = step
    return [latest[level] for level in sorted(latest)]


def find_knee(steps: Sequence[CapacityStep], gain: float, mode: SearchMode) -> Knee | None:
    """The first level past which the achieved req/s grew by less than ``gain`` of the offered growth
    while p95 climbed; its ``rps`` is the ceiling reached from there on."""
    curve = measured_by_level(steps)
    for position in range(len(curve) - 1):
        a, b = curve[position], curve[position + 1]
        if a.rps <= 0 or a.level <= 0:
            continue
        offered = b.level / a.level - 1
        achieved = b.rps / a.rps - 1
        climbs = (b.p95_ms or 0.0) > (a.p95_ms or 0.0)
        if offered > 0 and achieved < gain * offered and climbs:
            ceiling = max(s.rps for s in curve[position:])
            text = (
                f"throughput knee at {a.level:g}{mode.unit}: {a.level:g} -> {b.level:g}{mode.unit} added "
                f"{achieved * 100:.0f}% req/s for {offered * 100:.0f}% more load, p95 "
                f"{a.p95_ms or 0:.0f} -> {b.p95_ms or 0:.0f} ms; ceiling {ceiling:.0f} req/s"
            )
            return Knee(level=a.level, rps=ceiling, p95_ms=a.p95_ms, text=text)
    return None


def binding_limit(steps: Sequence[CapacityStep]) -> BindingLimit | None:
    """At the first failing step: the breach furthest over its limit, and whether the load generator or
    the target was the limit. A generator-limited step names its validity reason; so does a step that broke
    no threshold (dropped iterations, a lost worker, too few requests)."""
    retried = overturned(steps)
    first = next((s for s in steps if not s.passed and not s.generator_limited and s not in retried), None)
    first = first or next((s for s in steps if s.generator_limited), None)  # only the generator ever broke
    if first is None:
        return None
    invalid = [Breach(reason, INVALID_METRIC, None, None) for reason in first.invalid]
    ranked = invalid if first.generator_limited or not first.breaches else list(first.breaches)
    breach = max(ranked, key=lambda b: b.ratio)
    generator = first.generator_limited or (
        breach.metric == INVALID_METRIC and breach.endpoint.startswith("worker lost")
    )
    return BindingLimit(first.index, first.level, breach, "generator" if generator else "target")


def summarize(
    mode: SearchMode,
    state: SearchState,
    steps: Sequence[CapacityStep],
    spec: Search,
    slo: str,
    notes: Sequence[str] = (),
    started_s: float = 0.0,
    ended_s: float = 0.0,
) -> CapacityResult:
    """The search's answers from its steps."""
    found, confirmed = capacity_of(steps)
    said = [note for note in notes if note]
    stepped_down = any(s.phase is StepPhase.CONFIRM and not s.passed for s in steps)
    if stepped_down:
        failed = [s for s in steps if s.phase is StepPhase.CONFIRM and not s.passed]
        levels = ", ".join(f"{s.level:g}{mode.unit}" for s in failed)
        said.append(f"stepped down: the confirmation hold failed at {levels}")
    for step in overturned(steps):
        said.append(f"step {step.index} ({step.level:g}{mode.unit}) failed, and passed when held again")
    if state is SearchState.SATURATED:
        found, confirmed = None, False
    return CapacityResult(
        mode=mode,
        state=state,
        steps=tuple(steps),
        capacity=found.level if found is not None else None,
        capacity_rps=found.rps if found is not None else None,
        confirmed=confirmed,
        stepped_down=stepped_down,
        knee=find_knee(steps, spec.knee_gain, mode),
        binding=binding_limit(steps),
        resolution_pct=spec.resolution_pct,
        slo=slo,
        notes=tuple(said),
        started_s=started_s,
        ended_s=ended_s,
    )


def capacity_shortfall(result: CapacityResult | None, required_rps: float) -> str | None:
    """Why the search falls short of ``--require-capacity`` (None: it reached it)."""
    if result is None:
        return "no capacity search ran"
    if result.capacity_rps is None:
        return f"no SLO capacity found ({result.answer}), {required_rps:g} req/s required"
    if result.capacity_rps < required_rps:
        partial = " (partial search)" if result.partial else ""
        rps = result.capacity_rps
        return f"SLO capacity {rps:.0f} req/s{partial} is below the required {required_rps:g} req/s"
    return None
