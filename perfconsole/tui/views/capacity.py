"""A capacity search's lines in the console (pure): the live step line (``step 6: 240/s, p95 180 ms ✓ | step
7: 280/s, p95 620 ms ✗ /api/auth/login p95``), the step in progress, the answer, the binding limit and the
knee, each fitted to the width it gets."""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.model.capacity import (
    INVALID_METRIC,
    CapacityResult,
    CapacityStep,
    SearchMode,
    SearchState,
)
from perfconsole.tui.formatting import fmt_ms

SEPARATOR = " | "
ELLIPSIS = "…"


def level_text(level: float, mode: SearchMode) -> str:
    """The offered load: ``240/s`` (arrival rate) or ``40 users``."""
    return f"{level:g}{mode.unit}"


def endpoint_name(key: str) -> str:
    """``POST /api/auth/login`` without its method (the name is what tells endpoints apart on a line)."""
    method, _, name = key.partition(" ")
    return name if name and method.isupper() else key


def failure_text(step: CapacityStep) -> str:
    """Why a step failed, short: ``/api/auth/login p95``, ``error_rate``, or its first validity reason."""
    if step.invalid:
        return step.invalid[0]
    if not step.breaches:
        return ""
    breach = step.breaches[0]
    if breach.metric == INVALID_METRIC:
        return breach.endpoint
    return f"{endpoint_name(breach.endpoint)} {breach.metric}".strip()


def step_text(step: CapacityStep, mode: SearchMode, *, achieved: bool = True) -> str:
    """``step 6: 240/s -> 238 req/s, p95 180 ms ✓``; without ``achieved``: ``step 6: 240/s, p95 180 ms ✓``;
    a failed step ends ``✗`` and why."""
    got = f" -> {step.rps:.0f} req/s" if achieved else ""
    head = f"step {step.index}: {level_text(step.level, mode)}{got}, p95 {fmt_ms(step.p95_ms)} ms"
    if step.passed:
        return f"{head} ✓"
    return f"{head} ✗ {failure_text(step)}".rstrip()


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ``…`` marking the cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def live_line(steps: Sequence[CapacityStep], mode: SearchMode, width: int) -> str:
    """The last two steps in one line of at most ``width`` characters: with their achieved req/s when that
    fits, else without, else the last step alone (its reason clipped last)."""
    if not steps:
        return ""
    last_two = steps[-2:]
    for achieved in (True, False):
        line = SEPARATOR.join(step_text(step, mode, achieved=achieved) for step in last_two)
        if len(line) <= width:
            return line
    for achieved in (True, False):
        line = step_text(steps[-1], mode, achieved=achieved)
        if len(line) <= width:
            return line
    return clip(step_text(steps[-1], mode, achieved=False), width)


def state_text(result: CapacityResult) -> str:
    """``searching``, ``done``, ``partial: stopped``, ``saturated``."""
    if result.state is SearchState.RUNNING:
        return "searching"
    if result.state is SearchState.PARTIAL:
        return "partial"
    return str(result.state)


def answer_line(result: CapacityResult) -> str:
    """``capacity (rate) partial: SLO capacity 240/s (238 req/s), not confirmed [partial: search stopped]``;
    while running, the provisional answer so far."""
    state = state_text(result)
    if result.state is SearchState.RUNNING:
        best = result.capacity
        so_far = f"best pass so far {level_text(best, result.mode)}" if best is not None else "no pass yet"
        return f"capacity ({result.mode}) {state}: {so_far}, judged by {result.slo or 'the thresholds'}"
    answer = result.answer.split(" [partial", 1)[0]  # the state already says so
    return f"capacity ({result.mode}) {state}: {answer}"


def detail_lines(result: CapacityResult) -> list[str]:
    """The knee and the binding limit, when known."""
    lines = []
    if result.knee is not None:
        lines.append(result.knee.text)
    if result.binding is not None:
        lines.append(f"binding limit: {result.binding.text}")
    return lines


def progress_text(index: int, phase: str, level: float, settling: bool, mode: SearchMode) -> str:
    """The step being held: ``step 8 (refine) 260/s: settling``."""
    doing = "settling" if settling else "measuring"
    return f"step {index} ({phase}) {level_text(level, mode)}: {doing}"


def panel_lines(result: CapacityResult | None, progress: str | None, width: int, max_lines: int) -> list[str]:
    """The capacity view's head: the answer, the step in progress, the last steps, the knee and the binding
    limit, each clipped to ``width``, at most ``max_lines``."""
    if result is None:
        return ["no capacity search in this run"][:max_lines]
    lines = [answer_line(result)]
    if progress is not None:
        lines.append(progress)
    if result.steps:
        lines.append(live_line(result.steps, result.mode, width))
    lines += detail_lines(result)
    return [clip(line, width) for line in lines[:max_lines]]
