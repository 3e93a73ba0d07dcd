"""What the resource panel and the saturation banner show, read from the session at one instant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from perfconsole.config import ResourceThresholds
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation
from perfconsole.model.run_warnings import RunWarning
from perfconsole.resources.summary import ResourcePeaks

if TYPE_CHECKING:
    from perfconsole.resources.monitor import ResourceMonitor
    from perfconsole.tui.session_api import ConsoleSession


@dataclass(frozen=True, slots=True)
class ResourceState:
    """Everything the resource panel and banner show, gathered from the session at one instant."""

    sample: ResourceSample | None
    limits: ResourceThresholds = field(default_factory=ResourceThresholds)
    peaks: ResourcePeaks | None = None
    samples: tuple[ResourceSample, ...] = ()
    """This run's samples, oldest first (only gathered when charts are drawn)."""
    rss_trend_mb_per_min: float | None = None
    leak_suspected: bool = False
    target_label: str | None = None
    """How the target was found, e.g. ``pid 123 (python3), listening on port 8000``."""
    saturation_pct: float = 90.0
    saturated_labels: frozenset[str] | None = None
    """Generator processes in a saturation episode now (the detector's hysteresis); None: judge by CPU."""
    annotations: tuple[Annotation, ...] = ()
    warnings: tuple[RunWarning, ...] = ()
    sampling: bool = True
    """False when the session samples no resources at all."""
    remote_target: str | None = None
    """The target's host when it is not on this machine (its process cannot be seen from here)."""


def current_run(samples: Sequence[ResourceSample]) -> tuple[ResourceSample, ...]:
    """The samples since the run clock last restarted (a new run after a stop starts again at 0 s)."""
    start = 0
    for index in range(1, len(samples)):
        if samples[index].elapsed_s < samples[index - 1].elapsed_s:
            start = index
    return tuple(samples[start:])


def state_from_session(session: ConsoleSession, *, with_samples: bool = False) -> ResourceState:
    """Read the session's ``resource_sample``, ``monitor``, ``warnings`` and ``annotations`` (a session
    without resource sampling gives an empty state)."""
    monitor = session.monitor
    sample = session.resource_sample
    annotations = session.annotations
    warnings = session.warnings
    if monitor is None:
        return ResourceState(sample, annotations=annotations, warnings=warnings, sampling=sample is not None)
    history = monitor.history
    fit = history.target_rss_trend()
    options = monitor.options
    detector = monitor.detector
    return ResourceState(
        sample=sample if sample is not None else history.last,
        limits=options.limits,
        peaks=history.peaks(),
        samples=current_run(history.samples) if with_samples else (),
        rss_trend_mb_per_min=fit.slope if fit is not None else None,
        leak_suspected=history.leak_suspected(),
        target_label=history.target_label,
        saturation_pct=options.saturation_pct,
        saturated_labels=detector.saturated,
        annotations=annotations,
        warnings=warnings,
        remote_target=remote_target_host(monitor),
    )


def remote_target_host(monitor: ResourceMonitor) -> str | None:
    """The target's host name if the monitor's target address is not on this machine, else None."""
    address = monitor.address
    if address is None or address.is_local:
        return None
    return str(address.host)
