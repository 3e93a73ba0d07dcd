"""How busy this process's event loop is: the share of wall time its thread ran or waited for a CPU.

The pacer does not grow the pool while the generator is this busy: iterations that wait for a user then
wait for the CPU, and more users would only share it (each one's iterations take longer, Little's law asks
for still more users, and the pool climbs to its ceiling while the achieved rate falls). On Linux the
thread's ``schedstat`` gives both its CPU time and its time runnable but not running (a machine whose other
work starves the generator counts as busy too); elsewhere only the process's CPU time is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

SCHEDSTAT = Path("/proc/thread-self/schedstat")
MIN_WINDOW_S = 0.25
"""A reading covers at least this much wall time (a shorter one repeats the last)."""


def read_busy_s() -> float:
    """Seconds this thread has run or waited to run (Linux), else the process's CPU seconds."""
    try:
        fields = SCHEDSTAT.read_text().split()
        return (int(fields[0]) + int(fields[1])) / 1e9
    except (OSError, ValueError, IndexError):
        return time.process_time()


class CpuGauge:
    """The busy share (0..1, can exceed 1 briefly) of the wall time since the previous reading."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, busy_s: Callable[[], float] = read_busy_s
    ) -> None:
        self._clock = clock
        self._busy_s = busy_s
        self._at = clock()
        self._busy_at = busy_s()
        self.share = 0.0
        """The last reading."""

    def read(self) -> float:
        """The busy share since the last reading (the last reading again within ``MIN_WINDOW_S``)."""
        now = self._clock()
        if now - self._at < MIN_WINDOW_S:
            return self.share
        busy = self._busy_s()
        self.share = max(0.0, busy - self._busy_at) / (now - self._at)
        self._at, self._busy_at = now, busy
        return self.share
