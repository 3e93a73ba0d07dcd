"""Figures per stage of a run: each stage of a staged profile or shape, each plateau between live user
changes, a spike drill's before / during / after. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.model.arrival import ArrivalFigures
from perfconsole.model.percentiles import Percentiles

STAGE_PREFIX = "stage "


def stage_row_key(index: int, label: str) -> str:
    """How comparisons and saved histograms name a stage: ``stage 2: ramp to 100``."""
    return f"{STAGE_PREFIX}{index}: {label}"


@dataclass(frozen=True, slots=True)
class StageStats:
    """One stage's own requests, failures, req/s and percentiles (ms, from HdrHistograms)."""

    index: int
    """1-based position in the run."""
    label: str
    kind: str
    """``stage`` (profile or shape), ``plateau`` (between live user changes), ``spike`` (a drill's
    during / after), ``rate`` (a level of the arrival rate)."""
    start_s: float
    """Seconds since the run started."""
    end_s: float
    requests: int
    failures: int
    percentiles: Percentiles
    arrival: ArrivalFigures | None = None
    """Arrival-rate mode: the stage's target, started and dropped iterations and start lag."""

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def fail_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0
