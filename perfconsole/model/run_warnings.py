"""Warnings of a run: why its figures may be unreliable or incomplete, each with a kind.

A warning is raised typed where it happens (resource monitor, worker-loss watch, endpoint cap, histogram
merge) and keeps its kind through the session, the saved run and the console, which picks warnings by
kind rather than by how their text begins.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class WarningKind(StrEnum):
    SATURATION = "saturation"
    """A load-generator process is CPU-saturated: response times include client-side queuing."""
    GENERATOR_LAG = "generator_lag"
    """A load generator's event loop ran late for seconds: it cannot keep up (saturated or CPU-starved)."""
    METRICS_UNAVAILABLE = "metrics_unavailable"
    """Scraping the target's metrics fails."""
    WORKER_LOST = "worker_lost"
    """A worker stopped sending heartbeats mid-run."""
    ENDPOINT_CAP = "endpoint_cap"
    """More distinct endpoint names than ``[run] max_endpoints``: later ones are folded into ``(other)``."""
    HDR_FALLBACK = "hdr_fallback"
    """Workers sent no histograms: their requests count at Locust's approximation."""
    DISK_SPACE = "disk_space"
    """The runs directory's free space fell below what saving the run will need."""
    OTHER = "other"
    """Anything else, and every warning of a run saved before warnings had kinds."""

    @classmethod
    def parse(cls, value: object) -> WarningKind:
        """The kind named ``value``; OTHER for anything unknown (a newer or older perfconsole's kind)."""
        try:
            return cls(value) if isinstance(value, str) else cls.OTHER
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True, slots=True)
class RunWarning:
    kind: WarningKind
    text: str
    """The one line shown to the operator and stored with the run."""
    detail: str = ""
    """A short form for tight places (a saturation's ``worker 1 CPU 97% (over 90%)``); may be empty."""

    def __str__(self) -> str:
        return self.text
