"""A run's clock (when it started and ended, seconds elapsed) and its deadline (the planned duration)."""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent


class RunClock:
    """Wall-clock start and end of the run, and the seconds elapsed since its start (frozen once it stops)."""

    def __init__(self) -> None:
        self.started_at = 0.0
        """Epoch seconds of the run's start (0: never started)."""
        self.ended_at = 0.0
        """Epoch seconds of the run's end (0: not ended)."""
        self._t0 = 0.0
        self._stopped_elapsed: float | None = None

    def start(self) -> None:
        self.started_at = time.time()
        self._t0 = time.monotonic()
        self._stopped_elapsed = None
        self.ended_at = 0.0

    def stop(self) -> None:
        """Freeze the elapsed time and note the end."""
        self._stopped_elapsed = self.elapsed_s
        self.ended_at = time.time()

    @property
    def started(self) -> bool:
        return self._t0 != 0.0

    @property
    def elapsed_s(self) -> float:
        if not self._t0:
            return 0.0
        if self._stopped_elapsed is not None:
            return self._stopped_elapsed
        return time.monotonic() - self._t0


class RunDeadline:
    """The run's planned end: ``duration_s`` seconds of the clock; ``on_reached`` runs (in the deadline's
    greenlet) once the clock gets there. Re-armed whenever the duration changes."""

    def __init__(self, clock: RunClock, on_reached: Callable[[], None]) -> None:
        self.duration_s: float | None = None
        """Elapsed seconds at which the run ends (None: no limit)."""
        self._clock = clock
        self._on_reached = on_reached
        self._greenlet: gevent.Greenlet | None = None

    def arm(self, duration_s: float | None) -> None:
        """End the run at ``duration_s`` (None or 0: never), replacing any earlier deadline."""
        self.cancel()
        self.duration_s = duration_s
        if duration_s:
            self._greenlet = gevent.spawn(self._wait)

    def cancel(self) -> None:
        """Stop waiting (the duration stays as it was)."""
        glet, self._greenlet = self._greenlet, None
        if glet is not None and glet is not gevent.getcurrent():
            glet.kill(block=False)

    def _wait(self) -> None:
        clock = self._clock
        while self.duration_s and clock.elapsed_s < self.duration_s:
            gevent.sleep(min(0.5, max(0.05, self.duration_s - clock.elapsed_s)))
        self._greenlet = None
        self._on_reached()
