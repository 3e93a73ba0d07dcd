"""A capacity search in words, for the headless summary (and any front end): a compact step table, the
two answers and the binding limit; and two searches compared."""

from __future__ import annotations

from typing import Any

from perfconsole.model.capacity import CapacityResult
from perfconsole.verdicts.capacity_compare import CapacityComparison, compare_capacities


def step_table(result: CapacityResult) -> list[str]:
    unit = result.mode.unit.strip() or "/s"
    head = f"  {'#':>3} {'phase':<8} {'level':>10} {'req/s':>8} {'p95 ms':>8} {'err %':>6}  verdict"
    lines = [head]
    for step in result.steps:
        p95 = f"{step.p95_ms:.0f}" if step.p95_ms is not None else "-"
        why = "" if step.passed else (step.invalid[0] if step.invalid else step.breaches[0].text)
        lines.append(
            f"  {step.index:>3} {step.phase.value:<8} {f'{step.level:g} {unit}':>10} {step.rps:>8.1f} "
            f"{p95:>8} {step.total.error_pct:>6.2f}  {step.verdict}{f': {why}' if why else ''}"
        )
    return lines


def capacity_lines(result: CapacityResult) -> list[str]:
    """``Capacity search (rate, judged by p95 < 200 ms): done in 94 s``, the step table, the answers."""
    lines = [
        f"Capacity search ({result.mode.value}, judged by {result.slo}): {result.state.value} in "
        f"{result.duration_s:.0f} s, {len(result.steps)} step(s)",
        *step_table(result),
        f"  {result.answer}",
    ]
    if result.knee is not None:
        lines.append(f"  {result.knee.text}")
    elif result.steps:
        lines.append("  throughput knee: none (the achieved req/s kept up with the offered load)")
    if result.binding is not None:
        lines.append(f"  binding limit: {result.binding.text}")
    lines += [f"  note: {note}" for note in result.notes]
    return lines


def capacity_comparison(
    baseline: CapacityResult | None, current: CapacityResult | None
) -> CapacityComparison | None:
    if baseline is None or current is None:
        return None
    return compare_capacities(baseline, current)


def comparison_dict(comparison: CapacityComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "baseline_rps": comparison.baseline_rps,
        "current_rps": comparison.current_rps,
        "change_pct": comparison.change_pct,
        "resolution_pct": comparison.resolution_pct,
        "within_resolution": comparison.within_resolution,
        "text": comparison.text,
    }
