"""One frame per tick: everything the dashboard shows, read from the session once, as immutable data.

The dashboard builds a :class:`Frame` on each tick and every view takes only that (no view reads the
session): the snapshot (secrets masked), the time series, annotations, warnings, the drill's verdict, the
pause state, resources, the validity stamp, and what only the shown view needs (figures per stage, the
log, the live comparison's noise), which the :class:`FrameNeeds` ask for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from perfconsole.config import Settings
from perfconsole.model.capacity import CapacityResult
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation, HistoryPoint, RunResult, RunSnapshot
from perfconsole.model.run_warnings import RunWarning
from perfconsole.model.stages import StageStats
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.tui.session_api import ConsoleSession, StepInProgress, Verdict
from perfconsole.tui.shown import shown_snapshot
from perfconsole.tui.views.resource_state import ResourceState, current_run, remote_target_host
from perfconsole.verdicts.run_noise import RunNoise
from perfconsole.verdicts.validity import ValidityRules, stamp


@dataclass(frozen=True, slots=True)
class FrameNeeds:
    """What this tick's frame gathers beyond the always-shown parts (each costs a pass over its data)."""

    stages: bool = False
    """Figures per stage (the stages view)."""
    log_lines: int = 0
    """The operator log's last lines (the log view)."""
    samples: bool = False
    """This run's resource samples (the resources view's charts)."""
    noise_window: bool | None = None
    """The live comparison's noise, of the current window (True) or the whole run; None: no baseline."""


@dataclass(frozen=True, slots=True)
class Frame:
    """What the dashboard shows at one tick."""

    snapshot: RunSnapshot
    """Secrets masked, as in saved files; its ``arrival`` is the arrival-rate dial's status."""
    history: tuple[HistoryPoint, ...]
    annotations: tuple[Annotation, ...]
    warnings: tuple[RunWarning, ...]
    verdict: Verdict | None
    """The spike drill's recovery verdict (None until a drill ends)."""
    paused: bool
    resources: ResourceState
    validity: str
    """``valid`` or ``invalid: <reasons>`` of the run so far."""
    stages: tuple[StageStats, ...] = ()
    log: tuple[str, ...] = ()
    noise: RunNoise | None = None
    search: CapacityResult | None = None
    """The capacity search so far, or its answer (None: no search in this run)."""
    search_step: StepInProgress | None = None
    """The search's step being held now (None: no search running)."""
    resource_series: Mapping[str, object] = field(default_factory=dict)
    """The resource samples' columns (``ResourceHistory.series``, as saved; empty without sampling): the
    validity stamp and the soak verdict so far read them."""


def build_frame(session: ConsoleSession, settings: Settings, needs: FrameNeeds | None = None) -> Frame:
    """Read the session once into a frame."""
    needs = needs or FrameNeeds()
    snapshot = shown_snapshot(session.snapshot())
    annotations, warnings = session.annotations, session.warnings
    monitor = session.monitor
    series = monitor.history.series() if monitor is not None else {}
    return Frame(
        snapshot=snapshot,
        history=session.history,
        annotations=annotations,
        warnings=warnings,
        verdict=session.spike_verdict,
        paused=session.paused,
        resources=resource_state(monitor, session.resource_sample, annotations, warnings, needs.samples),
        validity=live_validity(snapshot, annotations, warnings, monitor, settings, series),
        stages=session.stages() if needs.stages else (),
        log=tuple(session.output_tail(needs.log_lines)) if needs.log_lines else (),
        noise=session.live_noise(needs.noise_window) if needs.noise_window is not None else None,
        search=session.search.result(),
        search_step=session.search.progress(),
        resource_series=series,
    )


def state_from_session(session: ConsoleSession, *, with_samples: bool = False) -> ResourceState:
    """The resource panel's and banner's state from the session's ``resource_sample`` and ``monitor``
    (a session without resource sampling gives an empty state)."""
    return resource_state(
        session.monitor, session.resource_sample, session.annotations, session.warnings, with_samples
    )


def resource_state(
    monitor: ResourceMonitor | None,
    sample: ResourceSample | None,
    annotations: tuple[Annotation, ...],
    warnings: tuple[RunWarning, ...],
    with_samples: bool = False,
) -> ResourceState:
    """What the monitor knows now, with the latest sample (``with_samples``: this run's samples too)."""
    if monitor is None:
        return ResourceState(sample, annotations=annotations, warnings=warnings, sampling=sample is not None)
    history = monitor.history
    fit = history.target_rss_trend()
    options = monitor.options
    return ResourceState(
        sample=sample if sample is not None else history.last,
        limits=options.limits,
        peaks=history.peaks(),
        samples=current_run(history.samples) if with_samples else (),
        rss_trend_mb_per_min=fit.slope if fit is not None else None,
        leak_suspected=history.leak_suspected(),
        target_label=history.target_label,
        saturation_pct=options.saturation_pct,
        saturated_labels=monitor.detector.saturated,
        annotations=annotations,
        warnings=warnings,
        remote_target=remote_target_host(monitor),
    )


def live_validity(
    snapshot: RunSnapshot,
    annotations: tuple[Annotation, ...],
    warnings: tuple[RunWarning, ...],
    monitor: ResourceMonitor | None,
    settings: Settings,
    series: Mapping[str, object] | None = None,
) -> str:
    """``valid`` or ``invalid: <reasons>`` of the run so far: the saved run's checks over what the session
    knows now (``series``: the monitor's, when read already). While users run, too few requests is not a
    reason yet (every run starts with none)."""
    rules = ValidityRules(min_samples=0 if snapshot.state.is_active else settings.regression.min_samples)
    resources: dict[str, object] = {}
    if monitor is not None:
        rules = ValidityRules(saturation_pct=monitor.options.saturation_pct, min_samples=rules.min_samples)
        peaks = monitor.history.peaks()
        resources = {
            "series": monitor.history.series() if series is None else series,
            "peaks": {"generator_max_cpu_label": peaks.generator_max_cpu_label},
        }
    so_far = RunResult(
        final=snapshot,
        history=(),
        annotations=annotations,
        thresholds=(),
        interrupted=False,
        started_at=0.0,
        ended_at=0.0,
        scenario_path="",
        profile=None,
        resources=resources,
        warnings=warnings,
    )
    return stamp(so_far, rules).run.text
