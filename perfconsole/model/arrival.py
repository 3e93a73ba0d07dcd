"""Arrival-rate mode's figures: what the schedule asked for and what happened, per stage and per run.
Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ArrivalFigures:
    """What the schedule asked for and what happened over a span of the run."""

    duration_s: float
    target: float
    """Iterations the schedule asked for."""
    started: int
    dropped: int
    start_lag_p95_ms: float | None

    @property
    def target_rate(self) -> float:
        return self.target / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def achieved_rate(self) -> float:
        """Iterations started per second."""
        return self.started / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def dropped_rate(self) -> float:
        return self.dropped / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def dropped_pct(self) -> float:
        """Dropped iterations in percent of those scheduled (started + dropped)."""
        asked = self.started + self.dropped
        return self.dropped / asked * 100 if asked else 0.0


@dataclass(frozen=True, slots=True)
class ArrivalRun:
    """A whole arrival-rate run: its figures, the pool, and each second's target and counts."""

    figures: ArrivalFigures
    max_users: int
    peak_pool: int
    poisson: bool = False
    seconds: tuple[tuple[float, float, int, int], ...] = field(default=())
    """(run time of the second's start, target iterations, started, dropped), one a second."""


@dataclass(frozen=True, slots=True)
class ArrivalStatus:
    """The live dial's reading: target now, and the last ``LIVE_WINDOW_S`` complete seconds."""

    target_rate: float
    achieved_rate: float
    dropped_rate: float
    start_lag_p95_ms: float | None
    busy: int
    pool: int
    max_users: int
    backlog: int
    workers: int
