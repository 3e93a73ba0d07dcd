"""What the resource panel and the saturation banner show (gathered into the dashboard's frame, see
perfconsole.tui.frame)."""

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


@dataclass(frozen=True, slots=True)
class ResourceState:
    """Everything the resource panel and banner show, gathered at one instant."""

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


def remote_target_host(monitor: ResourceMonitor) -> str | None:
    """The target's host name if the monitor's target address is not on this machine, else None."""
    address = monitor.address
    if address is None or address.is_local:
        return None
    return str(address.host)
