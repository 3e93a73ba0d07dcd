"""The master's arrival counts: per wall-clock second, merged from every pacer's reports. Pure."""

from __future__ import annotations

from perfconsole.engine.hdr.codec import decode_counts
from perfconsole.engine.hdr.histogram import sparse_values

MAX_SECONDS = 86_400
"""Seconds kept (a day of a run; older ones are forgotten first)."""


class _Counts:
    __slots__ = ("started", "dropped", "lag", "lag_max_us")

    def __init__(self) -> None:
        self.started = 0
        self.dropped = 0
        self.lag: dict[int, int] = {}
        self.lag_max_us = 0


class SecondCounts:
    """Started and dropped iterations and start-lag counters, by wall-clock second."""

    def __init__(self) -> None:
        self._seconds: dict[int, _Counts] = {}

    def add(self, second: int, started: int, dropped: int, lag_flat: list[int], lag_max_us: int) -> None:
        counts = self._seconds.get(second)
        if counts is None:
            if len(self._seconds) >= MAX_SECONDS:
                del self._seconds[min(self._seconds)]
            counts = self._seconds[second] = _Counts()
        counts.started += started
        counts.dropped += dropped
        for index, count in decode_counts(lag_flat):
            counts.lag[index] = counts.lag.get(index, 0) + count
        counts.lag_max_us = max(counts.lag_max_us, lag_max_us)

    def between(self, first: int, last: int) -> tuple[int, int, float | None]:
        """Started, dropped and start-lag p95 (ms) of seconds ``first`` to ``last`` - 1."""
        started = dropped = lag_max = 0
        lag: dict[int, int] = {}
        for second in range(first, last):
            counts = self._seconds.get(second)
            if counts is None:
                continue
            started += counts.started
            dropped += counts.dropped
            lag_max = max(lag_max, counts.lag_max_us)
            for index, count in counts.lag.items():
                lag[index] = lag.get(index, 0) + count
        p95 = sparse_values(lag, lag_max, (0.95,))[0] if lag else None
        return started, dropped, p95

    def lag_max_ms(self, second: int) -> float:
        """The longest start lag (ms) of the iterations started in ``second`` (0: none counted)."""
        counts = self._seconds.get(second)
        return counts.lag_max_us / 1000.0 if counts is not None else 0.0

    def series(self) -> list[tuple[int, int, int]]:
        """(second, started, dropped) of every second counted, in order."""
        return [(s, c.started, c.dropped) for s, c in sorted(self._seconds.items())]

    def clear(self) -> None:
        self._seconds.clear()
