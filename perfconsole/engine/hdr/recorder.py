"""Where users run (a worker process, or the console with ``--workers 0``): each request's response time
into a per-second, per-endpoint interval histogram, drained into each report to the master.

Recording costs one dictionary update and a few integer operations per request (see
``benchmarks/hdr_cost.py``); memory is bounded by the requests of the seconds not yet drained.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container
from typing import Any

from perfconsole.engine.hdr.layout import (
    HIGHEST_US,
    SUB_BUCKET_COUNT,
    SUB_BUCKET_HALF_COUNT,
    SUB_BUCKET_HALF_COUNT_MAGNITUDE,
    index_of,
)

Key = tuple[str, str]
"""(method, name) as Locust's request event gives them."""
_SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1
_BUCKET_SHIFT = SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1
_HALF_MAGNITUDE = SUB_BUCKET_HALF_COUNT_MAGNITUDE


class Interval:
    """One endpoint's requests of one second."""

    __slots__ = ("counts", "failures", "max_us", "extra", "twin", "twin_max_us")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.failures = 0
        self.max_us = 0
        self.extra: dict[int, int] | None = None
        """Coordinated-omission corrections of paced users' requests (None: no paced user here)."""
        self.twin: dict[int, int] | None = None
        """Arrival-rate mode: the corrected twin's counters of this second, once a request in it came from a
        scheduled iteration: those count their time from the scheduled start (response time plus the
        iteration's start lag), the others as measured (with their corrections). None: counts + extra."""
        self.twin_max_us = 0


class IntervalRecorder:
    """Per-second interval histograms of the requests of this process, until drained."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._seconds: dict[int, dict[Key, Interval]] = {}
        self._second: int | None = None
        self._by_name: dict[Key, Interval] = {}
        """The current second's intervals by the name as requested: the fold runs once per name a second."""
        self._last: Interval | None = None
        """The interval of the request :meth:`record_request` took last (its failure may follow)."""
        self.name_for: Callable[[str, str], str] | None = None
        """Optional fold of endpoint names (the cardinality cap)."""
        self.pacing: Callable[[], int] | None = None
        """Pacing interval (µs) of the user sending the request, when any user class is paced."""
        self.start_lag: Callable[[], int | None] | None = None
        """Arrival-rate mode: the start lag (µs) of the iteration sending the request (None: not paced)."""
        self._record: Callable[[str, str, Any, Any], None] | None = None

    def record(self, method: str, name: str, response_time_ms: float | None, failed: bool = False) -> None:
        if response_time_ms is None:
            return
        interval = self._current(method, name)
        self._add(interval, int(response_time_ms * 1000.0 + 0.5), failed)

    def _current(self, method: str, name: str) -> Interval:
        """The interval of this second for ``(method, name)`` as requested."""
        second = int(self._clock())
        if second != self._second:
            self._second = second
            self._by_name = {}
        interval = self._by_name.get((method, name))
        if interval is None:
            interval = self._by_name[(method, name)] = self._interval(second, method, name)
        return interval

    def _add(self, interval: Interval, value_us: int, failed: bool) -> None:
        lag_us = self.start_lag() if self.start_lag is not None else None
        if lag_us is not None and interval.twin is None:
            interval.twin = _merged(interval.counts, interval.extra)  # this second's requests so far
            interval.twin_max_us = interval.max_us
        index = index_of(value_us)
        counts = interval.counts
        counts[index] = counts.get(index, 0) + 1
        if failed:
            interval.failures += 1
        if value_us > interval.max_us:
            interval.max_us = value_us
        twin = interval.twin
        if lag_us is not None and twin is not None:
            _count(twin, value_us + lag_us)
            interval.twin_max_us = max(interval.twin_max_us, value_us + lag_us)
            return
        if twin is not None:
            _count(twin, value_us)
            interval.twin_max_us = max(interval.twin_max_us, value_us)
        if self.pacing is not None:
            interval_us = self.pacing()
            if interval_us:
                extra = interval.extra
                if extra is None:
                    extra = interval.extra = {}
                while value_us > interval_us:
                    value_us -= interval_us
                    _count(extra, value_us)
                    if twin is not None:
                        _count(twin, value_us)

    def _interval(self, second: int, method: str, name: str) -> Interval:
        endpoints = self._seconds.get(second)
        if endpoints is None:
            endpoints = self._seconds[second] = {}
        if self.name_for is not None:
            name = self.name_for(method, name)
        interval = endpoints.get((method, name))
        if interval is None:
            interval = endpoints[(method, name)] = Interval()
        return interval

    def record_request(self, method: str, name: str, response_time_ms: float | None) -> None:
        """A request on its way into Locust's stats; its failure, if any, follows at once as
        :meth:`record_failure`. (A worker's stats wrapper calls :meth:`request_path`'s function instead.)"""
        if self._record is None:
            self._record = self.request_path()
        self._record(method, name, response_time_ms, None)

    def request_path(
        self,
        log_request: Callable[[str, str, Any, Any], None] | None = None,
        known: Container[Key] | None = None,
        fold: Callable[[str, str], str] | None = None,
    ) -> Callable[[str, str, Any, Any], None]:
        """The function a worker's stats wrapper (``cardinality.fold_request_stats``) runs per request in
        place of Locust's ``log_request(method, name, response_time, content_length)``: the endpoint fold
        (``fold`` for a name not in ``known``), this recorder, then ``log_request``, in one call. The common
        case (no paced user, no scheduled iteration) is written out here: it runs for every request."""
        recorder = self
        clock = self._clock
        kept: Container[Key] = known if fold is not None and known is not None else _EVERY_KEY

        def path(method: str, name: str, response_time: Any, content_length: Any) -> None:
            if (method, name) not in kept:
                name = fold(method, name)  # type: ignore[misc]  # kept is every key without a fold
            if response_time is None:
                recorder._last = None
            else:
                second = int(clock())
                if second != recorder._second:
                    recorder._second = second
                    by_name = recorder._by_name = {}
                else:
                    by_name = recorder._by_name
                key = (method, name)
                interval = by_name.get(key)
                if interval is None:
                    interval = by_name[key] = recorder._interval(second, method, name)
                recorder._last = interval
                value_us = int(response_time * 1000.0 + 0.5)
                if recorder.start_lag is not None or recorder.pacing is not None or interval.twin is not None:
                    recorder._add(interval, value_us, False)
                else:
                    if value_us <= 0:
                        index = 0
                    else:  # layout.index_of, inlined
                        value = value_us if value_us <= HIGHEST_US else HIGHEST_US
                        bucket = (value | _SUB_BUCKET_MASK).bit_length() - _BUCKET_SHIFT
                        index = ((bucket + 1) << _HALF_MAGNITUDE) + (value >> bucket) - SUB_BUCKET_HALF_COUNT
                    counts = interval.counts
                    counts[index] = counts.get(index, 0) + 1
                    if value_us > interval.max_us:
                        interval.max_us = value_us
            if log_request is not None:
                log_request(method, name, response_time, content_length)

        return path

    def record_failure(self) -> None:
        """The request just given to :meth:`record_request` failed (Locust logs its error right after it)."""
        if self._last is not None:
            self._last.failures += 1
            self._last = None

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
        self._second = None
        self._last = None
        return drained

    def reset(self) -> None:
        self._seconds = {}
        self._second = None
        self._last = None


class _EveryKey:
    """A container of every key (no endpoint fold)."""

    def __contains__(self, _key: object) -> bool:
        return True


_EVERY_KEY = _EveryKey()


def _count(counts: dict[int, int], value_us: int) -> None:
    index = index_of(value_us)
    counts[index] = counts.get(index, 0) + 1


def _merged(counts: dict[int, int], extra: dict[int, int] | None) -> dict[int, int]:
    merged = dict(counts)
    for index, count in (extra or {}).items():
        merged[index] = merged.get(index, 0) + count
    return merged
