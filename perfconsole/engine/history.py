"""A run's time series, sampled once a second: the points the console charts and the spike verdict read,
and the rows of Locust's ``_stats_history.csv`` (written by Locust's own row writer, kept in memory)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from perfconsole.engine.endpoint_steps import StepRecorder
from perfconsole.engine.locust.csv_rows import stats_history_rows
from perfconsole.engine.stats_view import current_rates
from perfconsole.model.run import HistoryPoint

if TYPE_CHECKING:
    from locust.env import Environment

CurrentPercentiles = tuple[float | None, float | None, float | None]
"""p50, p95, p99 of the current window (None without traffic)."""


class RunHistory:
    """One :class:`HistoryPoint` and Locust's stats-history rows per sample, and the endpoints' figures
    every few seconds (``steps``), for the current run."""

    def __init__(self) -> None:
        self.points: list[HistoryPoint] = []
        self.csv_rows: list[list[Any]] = []
        self.steps = StepRecorder()

    def clear(self) -> None:
        self.points.clear()
        self.csv_rows.clear()
        self.steps.clear()

    def record(
        self, environment: Environment, elapsed_s: float, current: CurrentPercentiles, full_history: bool
    ) -> HistoryPoint:
        """Sample the environment's live stats now (reads only: never resets them)."""
        runner = environment.runner
        total = environment.stats.total
        p50, p95, p99 = current
        rps, fail_per_sec = current_rates(total)
        point = HistoryPoint(
            elapsed_s=round(elapsed_s, 2),
            timestamp=time.time(),
            user_count=runner.user_count if runner is not None else 0,
            rps=rps,
            fail_per_sec=fail_per_sec,
            p50_ms=p50,
            p95_ms=p95,
            p99_ms=p99,
            total_requests=total.num_requests,
            total_failures=total.num_failures,
        )
        self.points.append(point)
        self.csv_rows += stats_history_rows(environment, full_history, point.timestamp)
        return point
