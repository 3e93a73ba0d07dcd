"""Least-squares trends over (time, value) samples. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinearFit:
    slope: float
    """Change of y per unit of x."""
    intercept: float
    r_squared: float
    """Share of the variance the line explains (1.0 for a perfect line or a flat series)."""
    span: float
    """Range of x covered."""
    count: int


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> LinearFit | None:
    """Ordinary least squares line through the points; ``None`` with fewer than 2 distinct x values."""
    count = len(xs)
    if count != len(ys):
        raise ValueError("xs and ys differ in length")
    if count < 2:
        return None
    mean_x = sum(xs) / count
    mean_y = sum(ys) / count
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    syy = sum((y - mean_y) ** 2 for y in ys)
    slope = sxy / sxx
    r_squared = 1.0 if syy == 0 else (sxy * sxy) / (sxx * syy)
    return LinearFit(slope, mean_y - slope * mean_x, r_squared, max(xs) - min(xs), count)


def mb_per_minute(elapsed_s: Sequence[float], rss_bytes: Sequence[float]) -> LinearFit | None:
    """RSS trend in MB per minute (1 MB = 2**20 bytes) from samples taken at ``elapsed_s`` seconds."""
    return linear_fit([t / 60.0 for t in elapsed_s], [b / 2**20 for b in rss_bytes])
