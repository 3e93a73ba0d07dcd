"""The soak verdict of a long run (``[soak]`` in config.toml): trends from its per-second history. Pure.

- p95: the current window's p95 each second, its least-squares slope per hour in percent of its mean;
- error rate: failures per second over requests per second (percent), its slope in points per hour;
- target and generator memory: their RSS samples (perfconsole.resources), MB per minute.

A trend is degrading when its slope is above its limit and the line explains at least ``min_r_squared``
of the series' variance (a noisy series with no direction is not a trend). No verdict for runs shorter
than ``min_duration_s``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from perfconsole.config import Soak
from perfconsole.model.run import HistoryPoint, RunResult
from perfconsole.model.soak import SoakVerdict, Trend
from perfconsole.resources.trend import linear_fit

MIN_POINTS = 10


def _trend(
    name: str,
    xs: Sequence[float],
    ys: Sequence[float],
    unit: str,
    limit: float,
    rules: Soak,
    scale: float = 1.0,
) -> Trend | None:
    if len(xs) < MIN_POINTS:
        return None
    fit = linear_fit(xs, ys)
    if fit is None:
        return None
    return Trend(name, fit.slope * scale, unit, fit.r_squared, limit, rules.min_r_squared)


def _series(resources: Mapping[str, object], column: str) -> tuple[list[float], list[float]]:
    series = resources.get("series")
    if not isinstance(series, Mapping):
        return [], []
    times, values = series.get("elapsed_s"), series.get(column)
    if not isinstance(times, list) or not isinstance(values, list):
        return [], []
    pairs = [
        (float(t), float(v))
        for t, v in zip(times, values, strict=False)
        if isinstance(t, int | float) and isinstance(v, int | float)
    ]
    return [t / 60.0 for t, _ in pairs], [v for _, v in pairs]


def soak_verdict(result: RunResult, rules: Soak) -> SoakVerdict | None:
    """A finished run's verdict (None when shorter than ``min_duration_s``)."""
    return soak_trends(result.history, result.resources, result.ended_at - result.started_at, rules)


def soak_trends(
    history: Sequence[HistoryPoint], resources: Mapping[str, object], duration: float, rules: Soak
) -> SoakVerdict | None:
    """The verdict of a run's history so far and its resources' series (``RunResult.resources``'s form):
    a finished run's, or a running one's in the console."""
    if duration < rules.min_duration_s:
        return None
    trends: list[Trend | None] = []
    latency = [(p.elapsed_s / 3600.0, p.p95_ms) for p in history if p.p95_ms is not None]
    if latency:
        mean = sum(v for _, v in latency) / len(latency)
        scale = 100.0 / mean if mean > 0 else 0.0
        xs, ys = [t for t, _ in latency], [v for _, v in latency]
        trends.append(_trend("p95", xs, ys, "%/h", rules.p95_pct_per_hour, rules, scale))
    errors = [(p.elapsed_s / 3600.0, 100.0 * p.fail_per_sec / p.rps) for p in history if p.rps > 0]
    if errors:
        xs, ys = [t for t, _ in errors], [v for _, v in errors]
        trends.append(_trend("error rate", xs, ys, "pts/h", rules.error_rate_pts_per_hour, rules))
    for name, column, limit in (
        ("target RSS", "target_rss_mb", rules.target_rss_mb_per_min),
        ("generator RSS", "generator_rss_mb", rules.generator_rss_mb_per_min),
    ):
        xs, ys = _series(resources, column)
        trends.append(_trend(name, xs, ys, "MB/min", limit, rules))
    return SoakVerdict(tuple(t for t in trends if t is not None), duration)
