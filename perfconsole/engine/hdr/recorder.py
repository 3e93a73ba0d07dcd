"""Where users run (a worker process, or the console with ``--workers 0``): each request's response time
into a per-second, per-endpoint interval histogram, drained into each report to the master.

Recording costs one dictionary update and a few integer operations per request (see
``benchmarks/hdr_cost.py``); memory is bounded by the requests of the seconds not yet drained.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from perfconsole.engine.hdr.layout import index_of, us_from_ms

Key = tuple[str, str]
"""(method, name) as Locust's request event gives them."""


class Interval:
    """One endpoint's requests of one second."""

    __slots__ = ("counts", "failures", "max_us", "extra")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.failures = 0
        self.max_us = 0
        self.extra: dict[int, int] | None = None
        """Coordinated-omission corrections of paced users' requests (None: no paced user here)."""


class IntervalRecorder:
    """Per-second interval histograms of the requests of this process, until drained."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._seconds: dict[int, dict[Key, Interval]] = {}
        self.name_for: Callable[[str, str], str] | None = None
        """Optional fold of endpoint names (the cardinality cap)."""
        self.pacing: Callable[[], int] | None = None
        """Pacing interval (µs) of the user sending the request, when any user class is paced."""

    def record(self, method: str, name: str, response_time_ms: float | None, failed: bool = False) -> None:
        if response_time_ms is None:
            return
        second = int(self._clock())
        endpoints = self._seconds.get(second)
        if endpoints is None:
            endpoints = self._seconds[second] = {}
        if self.name_for is not None:
            name = self.name_for(method, name)
        interval = endpoints.get((method, name))
        if interval is None:
            interval = endpoints[(method, name)] = Interval()
        value_us = us_from_ms(response_time_ms)
        index = index_of(value_us)
        counts = interval.counts
        counts[index] = counts.get(index, 0) + 1
        if failed:
            interval.failures += 1
        if value_us > interval.max_us:
            interval.max_us = value_us
        if self.pacing is not None:
            interval_us = self.pacing()
            if interval_us:
                extra = interval.extra
                if extra is None:
                    extra = interval.extra = {}
                while value_us > interval_us:
                    value_us -= interval_us
                    index = index_of(value_us)
                    extra[index] = extra.get(index, 0) + 1

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int = 0,
        exception: Any = None,
        **_kwargs: Any,
    ) -> None:
        """Listener for Locust's ``request`` event."""
        self.record(request_type or "", name, response_time, exception is not None)

    def drain(self) -> dict[int, dict[Key, Interval]]:
        """Everything recorded since the last drain, by second; the recorder starts empty."""
        drained, self._seconds = self._seconds, {}
        return drained

    def reset(self) -> None:
        self._seconds = {}
