"""Coordinated omission: which users are paced (``constant_pacing`` / ``constant_throughput``) and at what
interval, for HdrHistogram's expected-interval correction.

A paced user means to start a task every ``interval`` seconds. When a response takes longer, the requests
it would have sent meanwhile are never sent, so the measured histogram hides the wait they would have seen.
The correction (HdrHistogram's ``record_corrected_value``) adds, for a response time ``v`` above the
interval, the values ``v - interval``, ``v - 2 * interval`` ... down to the first at or below it. Which
users are paced, and which user runs now, comes from Locust's internals (``perfconsole.engine.locust.users``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from perfconsole.engine.locust.users import pacing_interval_s, running_user_class


def current_pacing_us(user_classes: Iterable[type]) -> Callable[[], int] | None:
    """A function giving the pacing interval (µs, 0 if unpaced) of the user running now, or None when no
    user class is paced (then nothing is looked up per request)."""
    intervals = {cls: pacing_interval_s(cls) for cls in user_classes}
    if not any(intervals.values()):
        return None
    cache: dict[type, int] = {cls: int((s or 0.0) * 1e6) for cls, s in intervals.items()}

    def interval_us() -> int:
        user_class = running_user_class()
        if user_class is None:
            return 0
        found = cache.get(user_class)
        if found is None:
            seconds = pacing_interval_s(user_class)
            found = cache[user_class] = int((seconds or 0.0) * 1e6)
        return found

    return interval_us


def corrections(value_us: int, interval_us: int) -> Iterator[int]:
    """The values HdrHistogram's correction adds for one measured value (none at or below the interval)."""
    while value_us > interval_us > 0:
        value_us -= interval_us
        yield value_us
