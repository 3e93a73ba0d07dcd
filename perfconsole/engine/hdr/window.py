"""The "current" window on the master: per-second interval histograms in a ring, per endpoint.

"Current" is exactly the last ``window_s`` whole seconds before now (by the time the requests ended on the
load generator), built from the seconds' own histograms: not a difference of cumulative snapshots.
Memory: ``window_s + LATE_S`` seconds of sparse counters per endpoint, each at most one counter per
request of that second (and never more than the 23,552 counters of the layout).
"""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.engine.hdr.histogram import PERCENT_FRACTIONS, sparse_values

Key = tuple[str, str]
LATE_S = 10
"""Seconds kept beyond the window for reports that arrive late (workers report every 3 s)."""


class _Second:
    __slots__ = ("counts", "failures", "requests", "max_us")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.failures = 0
        self.requests = 0
        self.max_us = 0


class _Running:
    """One endpoint's window counters ending at ``end``, kept up to date: a report's counters are added as
    they arrive, and a step of the window adds the seconds entering it and takes out those leaving, instead
    of summing ``window_s`` seconds whenever the window's slots changed (every second, under load)."""

    __slots__ = ("end", "counts")

    def __init__(self, end: int, counts: dict[int, int]) -> None:
        self.end = end
        self.counts = counts


class WindowRing:
    """Per-second sparse histograms of the last ``window_s + LATE_S`` seconds, by endpoint."""

    def __init__(self, window_s: int = 10) -> None:
        self.window_s = max(1, int(window_s))
        self._seconds: dict[int, dict[Key, _Second]] = {}
        self._newest = 0
        self._cache: dict[Key, tuple[int, tuple[_Second, ...], list[float | None]]] = {}
        """Per endpoint: the window's end, its seconds' slots and its figures. A slot changes only through
        ``add``, which drops its endpoint's entry; so a window whose slots are the same objects (the end
        moved over seconds without that endpoint's requests) has the same figures."""
        self._running: dict[Key, _Running] = {}

    def add(
        self, second: int, key: Key, pairs: Iterable[tuple[int, int]], failures: int, max_us: int
    ) -> None:
        if second < self._newest - self.window_s - LATE_S:
            return  # too late for any window
        endpoints = self._seconds.get(second)
        if endpoints is None:
            endpoints = self._seconds[second] = {}
            if second > self._newest:
                self._newest = second
                self._prune()
        slot = endpoints.get(key)
        if slot is None:
            slot = endpoints[key] = _Second()
        if not isinstance(pairs, list | tuple):
            pairs = list(pairs)  # read twice: into the second, and into a running window
        counts = slot.counts
        get = counts.get
        added = 0
        for index, count in pairs:
            counts[index] = get(index, 0) + count
            added += count
        slot.requests += added
        slot.failures += failures
        if max_us > slot.max_us:
            slot.max_us = max_us
        running = self._running.get(key)
        if running is not None and running.end - self.window_s <= second < running.end:
            into = running.counts
            for index, count in pairs:
                into[index] = into.get(index, 0) + count
        self._cache.pop(key, None)

    def _prune(self) -> None:
        oldest = self._newest - self.window_s - LATE_S
        for second in [s for s in self._seconds if s < oldest]:
            del self._seconds[second]

    def values(self, key: Key, now_s: float) -> list[float | None]:
        """p50, p90, p95, p99, p99.9 and max (ms) of the ``window_s`` whole seconds before ``now_s``."""
        end = int(now_s)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == end:
            return cached[2]
        slots = self._slots(key, end)
        if cached is not None and cached[1] == slots:
            found = cached[2]
        else:
            merged = self._window(key, end)
            max_us = max((slot.max_us for slot in slots), default=0)
            found = sparse_values(merged, max_us, PERCENT_FRACTIONS)
            found.append(max_us / 1000.0 if merged else None)
        self._cache[key] = (end, slots, found)
        return found

    def _window(self, key: Key, end: int) -> dict[int, int]:
        """The window's counters: the running ones, stepped to ``end`` (built anew after a jump, a read of
        an earlier end, or when seconds it would take out are pruned already)."""
        running = self._running.get(key)
        oldest_kept = self._newest - self.window_s - LATE_S
        if (
            running is None
            or not 0 <= end - running.end < self.window_s
            or running.end - self.window_s < oldest_kept
        ):
            running = self._running[key] = _Running(end, _merged(self._slots(key, end))[0])
            return running.counts
        counts = running.counts
        for second in range(running.end - self.window_s, end - self.window_s):  # leaving
            slot = self._seconds.get(second, {}).get(key)
            if slot is not None:
                for index, count in slot.counts.items():
                    left = counts[index] - count
                    if left:
                        counts[index] = left
                    else:
                        del counts[index]
        for second in range(running.end, end):  # entering
            slot = self._seconds.get(second, {}).get(key)
            if slot is not None:
                for index, count in slot.counts.items():
                    counts[index] = counts.get(index, 0) + count
        running.end = end
        return counts

    def _slots(self, key: Key, end: int) -> tuple[_Second, ...]:
        """The key's slots of the ``window_s`` seconds before ``end``, oldest first."""
        found = []
        for second in range(end - self.window_s, end):
            endpoints = self._seconds.get(second)
            if endpoints is not None:
                slot = endpoints.get(key)
                if slot is not None:
                    found.append(slot)
        return tuple(found)

    def counts(self, key: Key, now_s: float) -> dict[int, int]:
        """The window's counters (index: count) of ``key``: its histogram, for the window's noise."""
        return _merged(self._slots(key, int(now_s)))[0]

    def requests(self, key: Key, now_s: float) -> tuple[int, int]:
        """(requests, failures) of the window."""
        end = int(now_s)
        requests = failures = 0
        for slot in self._slots(key, end):
            requests += slot.requests
            failures += slot.failures
        return requests, failures

    def clear(self) -> None:
        self._seconds.clear()
        self._cache.clear()
        self._running.clear()
        self._newest = 0


def _merged(slots: tuple[_Second, ...]) -> tuple[dict[int, int], int]:
    """The slots' counters added up, and their largest value."""
    merged: dict[int, int] = {}
    max_us = 0
    for slot in slots:
        for index, count in slot.counts.items():
            merged[index] = merged.get(index, 0) + count
        if slot.max_us > max_us:
            max_us = slot.max_us
    return merged, max_us
