"""What an arrival-rate run is asked to do (pure data; the plan builder makes it)."""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.config import Arrival, RateStage
from perfconsole.config.reader import DEFAULT_RATE_POOL
from perfconsole.engine.arrival.schedule import RateCurve

DEFAULT_POOL = DEFAULT_RATE_POOL
"""Initial pool when neither -u nor the profile gives one."""
POOL_CEILING_FACTOR = 10
"""--max-users by default: this many times the initial pool."""


@dataclass(frozen=True, slots=True)
class ArrivalPlan:
    """An arrival-rate run: a constant ``rate`` or rate ``stages``; the pool's ceiling; Poisson arrivals."""

    rate: float | None = None
    stages: tuple[RateStage, ...] = ()
    max_users: int | None = None
    """None: ten times the initial pool."""
    poisson: bool = False

    @classmethod
    def of(cls, arrival: Arrival) -> ArrivalPlan:
        """A profile's arrival-rate settings as a plan."""
        return cls(
            rate=arrival.rate, stages=arrival.stages, max_users=arrival.max_users, poisson=arrival.poisson
        )

    def curve(self, start_s: float = 0.0) -> RateCurve:
        if self.stages:
            return RateCurve.from_stages(self.stages, start_s)
        return RateCurve.constant(self.rate or 0.0, start_s)

    @property
    def duration_s(self) -> float | None:
        return self.stages[-1].until_s if self.stages else None
