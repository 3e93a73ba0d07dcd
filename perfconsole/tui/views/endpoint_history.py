"""Each endpoint's own time series, kept by the console from the snapshots it polls (pure, bounded).

The engine keeps a time series of the total only; an endpoint's chart needs its own. Every poll adds the
endpoint's current-window req/s, fail/s and p50/p95/p99. Memory is bounded: each endpoint keeps at most
``capacity`` points in compact float arrays; when they are full, every other point is dropped and the
step between kept points doubles, so the whole run stays on the chart at a coarser step.
Cost: 24 bytes a point, so ``capacity`` 600 at 500 endpoints is at most about 7 MB.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from perfconsole.model.run import RunSnapshot

NAN = float("nan")
FIELDS = ("elapsed_s", "rps", "fail_per_sec", "p50", "p95", "p99")


@dataclass(frozen=True, slots=True)
class EndpointSeries:
    """One endpoint's columns, aligned; None where the window had no data."""

    times: Sequence[float]
    rps: Sequence[float]
    fail_per_sec: Sequence[float]
    p50: Sequence[float | None]
    p95: Sequence[float | None]
    p99: Sequence[float | None]


class _Columns:
    __slots__ = ("columns", "step", "skipped")

    def __init__(self) -> None:
        self.columns = tuple(array("f") for _ in FIELDS)
        self.step = 1
        self.skipped = 0


class EndpointHistory:
    """Per-endpoint series over the run, keyed like the table's rows (``GET /x``, ``Aggregated``)."""

    def __init__(self, capacity: int = 600) -> None:
        self.capacity = max(2, capacity)
        self._series: dict[str, _Columns] = {}
        self._last_elapsed = -1.0

    def record(self, snapshot: RunSnapshot) -> None:
        """Add the snapshot's figures (once per poll while the run's time moves on; a new run, its time
        going back, starts the series over)."""
        elapsed = snapshot.elapsed_s
        if elapsed < self._last_elapsed:
            self._series.clear()
            self._last_elapsed = -1.0
        if elapsed <= self._last_elapsed:
            return
        self._last_elapsed = elapsed
        for endpoint in (*snapshot.endpoints, snapshot.total):
            key = endpoint.key or "Aggregated"
            slot = self._series.get(key)
            if slot is None:
                slot = self._series[key] = _Columns()
            slot.skipped += 1
            if slot.skipped < slot.step:
                continue
            slot.skipped = 0
            current = endpoint.current
            values = (elapsed, endpoint.current_rps, endpoint.current_fail_per_sec, current.p50, current.p95)
            for column, value in zip(slot.columns, (*values, current.p99), strict=True):
                column.append(NAN if value is None else value)
            if len(slot.columns[0]) >= self.capacity:
                for index, column in enumerate(slot.columns):
                    slot.columns[index][:] = column[::2]
                slot.step *= 2

    def series(self, key: str) -> EndpointSeries:
        """The endpoint's columns (empty when it has none yet)."""
        slot = self._series.get(key)
        if slot is None:
            return EndpointSeries((), (), (), (), (), ())
        times, rps, fails, p50, p95, p99 = (list(column) for column in slot.columns)
        return EndpointSeries(times, rps, fails, _gaps(p50), _gaps(p95), _gaps(p99))

    def __len__(self) -> int:
        return len(self._series)


def _gaps(values: list[float]) -> list[float | None]:
    return [None if value != value else value for value in values]  # NaN: no data that second
