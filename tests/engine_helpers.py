"""Helpers for tests that drive the engine's LoadSession directly in this (gevent-patched) process
(imported as ``engine_helpers``; no tests here)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import gevent

from perfconsole.engine.arrival.controller import ArrivalController


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Let greenlets run until ``condition`` holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        gevent.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _wall_seconds(controller: ArrivalController) -> list[tuple[float, int]]:
    """(run time of the second's start, its wall-clock second) of each second the pacers counted."""
    rows = zip(controller.per_second(), controller.counts.series(), strict=True)
    return [(start, wall) for (start, *_), (wall, *_) in rows]


def edge_shift(controller: ArrivalController, rate: float, first_s: float, last_s: float) -> float:
    """At most how many iterations late starts moved across the edges of the whole seconds from
    ``first_s`` to ``last_s``: those that started in the window's first second though due before it, and
    those due in its last second that started after it, bounded by ``rate`` times the longest start lag the
    pacers measured in the window's first second and in the second after it. A busy box stalls a generator
    for a moment now and then; the schedule's own accounting says how far that moved the counts (a rate
    the schedule did not ask for, or a change it heard of late, is not excused: neither shows as lag)."""
    inside = [wall for start, wall in _wall_seconds(controller) if start >= first_s and start + 1 <= last_s]
    if not inside:
        return 0.0
    counts = controller.counts
    return rate * (counts.lag_max_ms(inside[0]) + counts.lag_max_ms(inside[-1] + 1)) / 1e3


def moved_out(controller: ArrivalController, rate: float, start_s: float) -> float:
    """At most how many iterations due in the second that starts at run time ``start_s`` started in the
    next one, late (``rate`` times the longest start lag measured there)."""
    found = [wall for start, wall in _wall_seconds(controller) if abs(start - start_s) < 0.01]
    return rate * controller.counts.lag_max_ms(found[0] + 1) / 1e3 if found else 0.0


@contextmanager
def favoured(*pids: int, nice: int = -10) -> Iterator[None]:
    """Give processes (0: this one) a larger CPU share for a while, where allowed (root, as CI runs).

    For tests whose expected figure is a target's own capacity (a simulated pool's slots held N ms): on a
    shared box a starved target holds each slot until it gets the CPU back, so its capacity, the figure
    under test, would follow the box's load. Without the permission, nothing changes."""
    before: list[tuple[int, int]] = []
    for pid in pids:
        try:
            old = os.getpriority(os.PRIO_PROCESS, pid)
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError:  # not root: the test runs at the box's mercy, as before
            continue
        before.append((pid, old))
    try:
        yield
    finally:
        for pid, old in before:
            with suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, pid, old)
