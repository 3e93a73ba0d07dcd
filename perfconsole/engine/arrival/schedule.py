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
from typing import Protocol

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

    def held_at(self, t: float) -> tuple[float, float] | None:
        """(end, rate) of the segment at ``t`` when it holds a rate above 0 there (None otherwise)."""
        for segment in self.segments:
            if segment.start_s <= t < segment.end_s:
                if segment.slope == 0.0 and segment.rate_from > 0:
                    return segment.end_s, segment.rate_from
                return None
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
        self._held: tuple[float, float] | None = None
        """(end, rate) of the held rate the last arrival fell in: the next one is a division away."""

    def next(self) -> float | None:
        """The next arrival's run time (None: no more arrivals)."""
        if self.poisson:
            units = self._rng.expovariate(1.0)
        elif self._first:
            units = self._rng.random()
        else:
            units = 1.0
        self._first = False
        held = self._held
        if held is not None:
            t = self._t + units / held[1]
            if t < held[0]:
                self._t = t
                return t
        return self._advance(self._t, units)

    def skip_before(self, limit_s: float) -> tuple[int, float | None]:
        """Skip every arrival before ``limit_s`` from the last one given (included), without generating
        each: (how many, the first arrival at or after ``limit_s``)."""
        units = self.curve.integral(self._t, limit_s)
        if self.poisson:
            count = 1 + poisson_count(units, self._rng)
            return count, self._advance(limit_s, self._rng.expovariate(1.0))
        count = max(1, math.ceil(units - 1e-9))
        return count, self._advance(self._t, float(count))

    def _advance(self, t: float, units: float) -> float | None:
        found = self.curve.advance(t, units)
        if found is not None:
            self._t = found
            self._held = self.curve.held_at(found)
        return found


class ArrivalSource(Protocol):
    """What a cursor reads arrivals from (``Arrivals``, or a ``Handover`` between two of them)."""

    @property
    def curve(self) -> RateCurve: ...

    def next(self) -> float | None: ...

    def skip_before(self, limit_s: float) -> tuple[int, float | None]: ...


class Handover:
    """A new schedule taking over from an old one at ``switch_s`` without losing the old one's iterations
    still waiting then: ``first`` (the oldest not yet started, already given by ``old``) and the rest of
    ``old``'s before ``switch_s``, then ``new``'s (which start at ``switch_s``)."""

    def __init__(self, old: ArrivalSource, first: float, switch_s: float, new: ArrivalSource) -> None:
        self._old: ArrivalSource | None = old
        self._first: float | None = first
        self._switch = switch_s
        self._new = new

    @property
    def curve(self) -> RateCurve:
        return self._new.curve

    def next(self) -> float | None:
        if self._first is not None:
            first, self._first = self._first, None
            if first < self._switch:
                return first
        if self._old is not None:
            found = self._old.next()
            if found is not None and found < self._switch:
                return found
            self._old = None
        return self._new.next()

    def skip_before(self, limit_s: float) -> tuple[int, float | None]:
        self._first = None  # given already: skip_before counts the last one given
        old = self._old
        if old is None:
            return self._new.skip_before(limit_s)
        if limit_s <= self._switch:
            count, found = old.skip_before(limit_s)
            if found is not None and found < self._switch:
                return count, found
            self._old = None
            return count, self._new.next()
        count, _found = old.skip_before(self._switch)
        self._old = None
        found = self._new.next()
        if found is None or found >= limit_s:
            return count, found
        more, found = self._new.skip_before(limit_s)
        return count + more, found


def poisson_count(mean: float, rng: random.Random) -> int:
    """A Poisson-distributed count of mean ``mean`` (a normal approximation above 30)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count
