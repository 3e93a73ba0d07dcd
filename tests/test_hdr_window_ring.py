"""The window ring's running window: the same figures as summing the window's seconds at every read."""

from __future__ import annotations

import random

from perfconsole.engine.hdr.histogram import PERCENT_FRACTIONS, sparse_values
from perfconsole.engine.hdr.window import LATE_S, WindowRing, _merged

KEY = ("GET", "/a")
OTHER = ("POST", "/b")


def summed(ring: WindowRing, key: tuple[str, str], end: int) -> list[float | None]:
    merged, max_us = _merged(ring._slots(key, end))
    found = sparse_values(merged, max_us, PERCENT_FRACTIONS)
    found.append(max_us / 1000.0 if merged else None)
    return found


def test_running_window_equals_the_sum_of_its_seconds_through_steps_jumps_and_late_reports() -> None:
    rng = random.Random(7)
    ring = WindowRing(window_s=10)
    now = 1000
    for _ in range(400):
        now += rng.choice((0, 0, 1, 1, 2, 3, 15))  # mostly steps, sometimes a jump past the window
        for _report in range(rng.randint(0, 3)):
            second = now - rng.randint(0, 12)  # reports cover the last seconds, some arrive late
            key = rng.choice((KEY, OTHER))
            pairs = [(rng.randint(0, 3000), rng.randint(1, 5)) for _ in range(rng.randint(1, 30))]
            ring.add(second, key, pairs, 0, rng.randint(1, 5000))
        end = now - rng.choice((0, 0, 0, 1, 11))  # now and then an older read
        for key in (KEY, OTHER):
            assert ring.values(key, end + 0.5) == summed(ring, key, end)
    assert ring._newest - 1000 > 10 * LATE_S


def test_a_cleared_ring_starts_its_running_window_again() -> None:
    ring = WindowRing(window_s=5)
    ring.add(100, KEY, [(10, 1)], 0, 10)
    assert ring.values(KEY, 101)[0] is not None
    ring.clear()
    ring.add(100, KEY, iter([(20, 2)]), 0, 20)
    assert ring.values(KEY, 101) == summed(ring, KEY, 101)
