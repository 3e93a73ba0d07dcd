"""Each endpoint's window figures every few seconds, kept for the saved run's time cursor
(``endpoint_steps.csv``, see :mod:`perfconsole.store.endpoint_steps` for the format and its bounds).

Rows are kept as the CSV text they are saved as: a few dozen bytes per endpoint and step, so an hour at
100 endpoints holds about 6 MB (Python objects per row would take several times that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfconsole.engine.stats_view import current_percentiles, current_rates
from perfconsole.store.endpoint_steps import MAX_STEPS, STEP_S, EndpointStep, step_lines, steps_csv

if TYPE_CHECKING:
    from locust.stats import RequestStats

    from perfconsole.engine.hdr.hooks import HdrStats


class StepRecorder:
    """One chunk of CSV rows per step, at most :data:`MAX_STEPS` (then every other one goes and the step
    doubles)."""

    def __init__(self) -> None:
        self.step_s = STEP_S
        self._chunks: list[tuple[float, str]] = []
        self._next_s = 0.0

    def __len__(self) -> int:
        return len(self._chunks)

    def due(self, elapsed_s: float) -> bool:
        return elapsed_s >= self._next_s

    def record(self, elapsed_s: float, rows: list[EndpointStep]) -> None:
        """The endpoints' figures at ``elapsed_s`` (a second record at the same time replaces the first:
        the run's end is sampled again once the last reports are in)."""
        chunk = (elapsed_s, step_lines(rows))
        if self._chunks and self._chunks[-1][0] == elapsed_s:
            self._chunks[-1] = chunk
        else:
            self._chunks.append(chunk)
        if len(self._chunks) > MAX_STEPS:
            self._chunks = self._chunks[::2]
            self.step_s *= 2
        self._next_s = (int(elapsed_s // self.step_s) + 1) * self.step_s

    def csv_text(self) -> str:
        return steps_csv(text for _elapsed, text in self._chunks)

    def clear(self) -> None:
        self.step_s = STEP_S
        self._chunks = []
        self._next_s = 0.0


def endpoint_rows(stats: RequestStats, hdr: HdrStats | None, elapsed_s: float) -> list[EndpointStep]:
    """Every endpoint with requests in its window now (idle ones are left out: nothing to show)."""
    rows = []
    for entry in stats.entries.values():
        rps, fail_per_sec = current_rates(entry)
        window = current_percentiles(entry, hdr)
        if not rps and not fail_per_sec and window.p50 is None:
            continue
        rows.append(
            EndpointStep(
                elapsed_s=elapsed_s,
                method=entry.method or "",
                name=entry.name,
                requests=entry.num_requests,
                failures=entry.num_failures,
                rps=rps,
                fail_per_sec=fail_per_sec,
                p50=window.p50,
                p95=window.p95,
                p99=window.p99,
                p999=window.p999,
                max=window.max,
            )
        )
    return rows
