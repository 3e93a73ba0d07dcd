"""When iterations start: a rate curve (iterations per second over run time) and the arrivals it gives.

Pure: no Locust, no gevent. A curve is piecewise linear: stages that hold a rate ("step") or reach it
linearly from the level before ("linear"); after its last segment the last rate holds. Arrivals come at
constant spacing (each iteration one unit of the curve's integral after the one before) or as a Poisson
process (exponentially distributed units: a non-homogeneous Poisson process by the time change).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from perfconsole.config import RateStage

INFINITY = math.inf


@dataclass(frozen=True, slots=True)
class Segment:
    """The rate from ``rate_from`` at ``start_s`` to ``rate_to`` at ``end_s``, linearly."""

    start_s: float
    end_s: float
    rate_from: float
    rate_to: float

    def rate_at(self, t: float) -> float:
        if self.end_s == INFINITY or self.end_s <= self.start_s:
            return self.rate_from
        return self.rate_from + (self.rate_to - self.rate_from) * (t - self.start_s) / (
            self.end_s - self.start_s
        )

    @property
    def slope(self) -> float:
        if self.end_s == INFINITY or self.end_s <= self.start_s:
            return 0.0
        return (self.rate_to - self.rate_from) / (self.end_s - self.start_s)


class RateCurve:
    """Iterations per second over run time, piecewise linear; before the first segment the rate is 0."""

    __slots__ = ("segments",)

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = tuple(segments)

    @classmethod
    def constant(cls, rate: float, start_s: float = 0.0) -> RateCurve:
        return cls((Segment(start_s, INFINITY, rate, rate),))

    @classmethod
    def from_stages(
        cls, stages: Iterable[RateStage], start_s: float = 0.0, rate_before: float = 0.0
    ) -> RateCurve:
        segments: list[Segment] = []
        previous, begin = rate_before, start_s
        for stage in stages:
            end = start_s + stage.until_s
            segments.append(Segment(begin, end, previous if stage.linear else stage.rate, stage.rate))
            previous, begin = stage.rate, end
        segments.append(Segment(begin, INFINITY, previous, previous))
        return cls(segments)

    def scaled(self, fraction: float) -> RateCurve:
        return RateCurve(
            [Segment(s.start_s, s.end_s, s.rate_from * fraction, s.rate_to * fraction) for s in self.segments]
        )

    def rate_at(self, t: float) -> float:
        for segment in self.segments:
            if segment.start_s <= t < segment.end_s:
                return segment.rate_at(t)
        return 0.0 if not self.segments or t < self.segments[0].start_s else self.segments[-1].rate_to

    def integral(self, a: float, b: float) -> float:
        """Iterations the curve asks for between run times ``a`` and ``b``."""
        total = 0.0
        for segment in self.segments:
            lo, hi = max(a, segment.start_s), min(b, segment.end_s)
            if hi > lo:
                total += (segment.rate_at(lo) + segment.rate_at(hi)) / 2 * (hi - lo)
        return total

    def advance(self, t: float, units: float) -> float | None:
        """The run time after ``t`` at which the curve's integral from ``t`` reaches ``units`` (None: never,
        the rate stays 0)."""
        need = units
        for segment in self.segments:
            if segment.end_s <= t:
                continue
            lo = max(t, segment.start_s)
            r0, k = segment.rate_at(lo), segment.slope
            span = segment.end_s - lo
            reached = _solve(r0, k, need)
            if reached is not None and reached <= span:
                return lo + reached
            if span == INFINITY:
                return None
            need -= (r0 + segment.rate_at(segment.end_s)) / 2 * span
        return None

    def to_wire(self) -> list[list[float | None]]:
        return [
            [s.start_s, None if s.end_s == INFINITY else s.end_s, s.rate_from, s.rate_to]
            for s in self.segments
        ]

    @classmethod
    def from_wire(cls, rows: Iterable[Sequence[float | None]]) -> RateCurve:
        segments = []
        for start, end, rate_from, rate_to in rows:
            segments.append(
                Segment(
                    float(start or 0.0),
                    INFINITY if end is None else float(end),
                    float(rate_from or 0.0),
                    float(rate_to or 0.0),
                )
            )
        return cls(segments)


def _solve(r0: float, k: float, need: float) -> float | None:
    """Smallest d >= 0 with r0 * d + k / 2 * d^2 = need (None if the rate reaches 0 first)."""
    if need <= 0:
        return 0.0
    if abs(k) < 1e-12:
        return need / r0 if r0 > 0 else None
    disc = r0 * r0 + 2 * k * need
    if disc < 0:
        return None
    d = (-r0 + math.sqrt(disc)) / k
    return d if d >= 0 else None


class Arrivals:
    """The arrival times of one curve from a start time on, at constant spacing or as a Poisson process."""

    def __init__(
        self, curve: RateCurve, start_s: float, poisson: bool = False, rng: random.Random | None = None
    ):
        self.curve = curve
        self.poisson = poisson
        self._rng = rng or random.Random()
        self._t = start_s
        # constant spacing starts at a random phase, so that workers do not fire in step
        self._first = True

    def next(self) -> float | None:
        """The next arrival's run time (None: no more arrivals)."""
        if self.poisson:
            units = self._rng.expovariate(1.0)
        elif self._first:
            units = self._rng.random()
        else:
            units = 1.0
        self._first = False
        found = self.curve.advance(self._t, units)
        if found is not None:
            self._t = found
        return found
