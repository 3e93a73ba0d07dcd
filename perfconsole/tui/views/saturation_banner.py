"""The generator-saturation banner: live while a load-generator process is saturated, dimmed once it was."""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.model.resources import ProcessSample
from perfconsole.model.run import Annotation
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.resources.saturation import saturation_warning
from perfconsole.tui.formatting import fmt_duration
from perfconsole.tui.marks import WARNING_MARK
from perfconsole.tui.views.resource_state import ResourceState


@dataclass(frozen=True, slots=True)
class Banner:
    text: str
    active: bool
    """True while a generator process is saturated now; False: it happened earlier in this run (dimmed)."""


def busy_generators(state: ResourceState) -> list[ProcessSample]:
    """Generator processes saturated now, busiest first."""
    sample = state.sample
    if sample is None:
        return []
    if state.saturated_labels is not None:
        busy = [p for p in sample.generator_processes if p.label in state.saturated_labels]
    else:
        busy = [p for p in sample.generator_processes if (p.cpu_pct or 0.0) >= state.saturation_pct]
    return sorted(busy, key=lambda p: -(p.cpu_pct or 0.0))


def saturation_episodes(state: ResourceState) -> list[tuple[Annotation, RunWarning]]:
    """Each saturation episode of the run: the warning annotation pinned when it began, and its warning."""
    raised = {w.text: w for w in state.warnings if w.kind is WarningKind.SATURATION}
    return [(a, raised[a.text]) for a in state.annotations if a.kind == "warning" and a.text in raised]


def saturation_banner(state: ResourceState) -> Banner | None:
    """The banner while any generator process is saturated; dimmed once it happened in this run; else None."""
    busy = busy_generators(state)
    if busy:
        top = busy[0]
        more = f" (+{len(busy) - 1} more)" if len(busy) > 1 else ""
        reason = saturation_warning(top.label, top.cpu_pct or 0.0, state.saturation_pct)
        return Banner(f"{WARNING_MARK} {reason}{more}", active=True)
    past = saturation_episodes(state)
    if past:
        last, warning = past[-1]
        what = warning.detail or warning.text
        episodes = f"{len(past)} episodes, last" if len(past) > 1 else "once,"
        return Banner(
            f"{WARNING_MARK} generator saturated {episodes} at {fmt_duration(last.elapsed_s)}: {what} - "
            f"figures around then are unreliable (not saturated now)",
            active=False,
        )
    return None
