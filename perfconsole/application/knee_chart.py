"""The knee chart of a capacity search: p95 latency and achieved req/s against the offered load. Pure.

One point per offered level (a level held twice, as a confirmation hold does, shows its latest step), in
level order; both y axes start at 0 and end on a round number. The console draws it as text
(``tui/views/knee_text.py``), a saved run as SVG (``application/capacity_page.py``): both from this layout,
so a chart drawn from a saved ``capacity.json`` is the one the live console showed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from perfconsole.model.capacity import CapacityResult


@dataclass(frozen=True, slots=True)
class KneePoint:
    """One offered level: what it achieved and its verdict."""

    level: float
    rps: float
    p95_ms: float | None
    passed: bool
    step: int
    """The step's 1-based index in the search."""


@dataclass(frozen=True, slots=True)
class KneeChart:
    """What a knee chart draws, whatever the medium."""

    points: tuple[KneePoint, ...]
    """In offered-level order."""
    unit: str
    """The offered load's unit: ``/s`` (arrival rate) or `` users``."""
    level_top: float
    rps_top: float
    p95_top: float
    capacity: float | None = None
    """The SLO capacity's level (a mark on the x axis), if found."""
    knee: float | None = None
    """The throughput knee's level, if found."""

    def x(self, level: float) -> float:
        """``level`` as a fraction of the x axis (0 to 1)."""
        return level / self.level_top if self.level_top > 0 else 0.0

    def y_rps(self, rps: float) -> float:
        return rps / self.rps_top if self.rps_top > 0 else 0.0

    def y_p95(self, p95_ms: float) -> float:
        return p95_ms / self.p95_top if self.p95_top > 0 else 0.0


def round_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 4, 5, 8 x 10^n at or above ``value`` (at least 1): an axis end whose
    quarters are round too."""
    if value <= 1:
        return 1.0
    exponent = math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 4, 5, 8, 10):
        candidate = factor * 10**exponent
        if candidate >= value * (1 - 1e-9):
            return float(candidate)
    return float(10 ** (exponent + 1))


def knee_points(result: CapacityResult) -> tuple[KneePoint, ...]:
    """The latest step of each offered level, in level order."""
    latest: dict[float, KneePoint] = {}
    for step in result.steps:
        latest[step.level] = KneePoint(step.level, step.rps, step.p95_ms, step.passed, step.index)
    return tuple(latest[level] for level in sorted(latest))


def knee_chart(result: CapacityResult | None) -> KneeChart | None:
    """The chart of ``result`` so far; None before its first step."""
    if result is None:
        return None
    points = knee_points(result)
    if not points:
        return None
    p95s = [p.p95_ms for p in points if p.p95_ms is not None]
    return KneeChart(
        points=points,
        unit=result.mode.unit,
        level_top=round_top(max(p.level for p in points)),
        rps_top=round_top(max(p.rps for p in points)),
        p95_top=round_top(max(p95s, default=1.0)),
        capacity=result.capacity,
        knee=result.knee.level if result.knee is not None else None,
    )


def axis_value(value: float) -> str:
    """An axis figure: ``250``, ``2.5k``, ``10k``."""
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"
