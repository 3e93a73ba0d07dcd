"""The pacer's due cursor (pure, the time passed in): taking due arrivals, dropping stale ones in bulk."""

from __future__ import annotations

import random

import pytest

from perfconsole.config import RateStage
from perfconsole.engine.arrival.cursor import DueCursor
from perfconsole.engine.arrival.schedule import Arrivals, RateCurve, poisson_count


def constant_cursor(rate: float, max_wait_s: float = 1.0) -> DueCursor:
    return DueCursor(Arrivals(RateCurve.constant(rate), 0.0, rng=random.Random(3)), max_wait_s)


def test_take_gives_each_due_arrival_once_in_order() -> None:
    cursor = constant_cursor(100.0)
    first = cursor.due
    assert first is not None and 0.0 <= first < 0.01
    assert cursor.take(first - 1e-6) is None  # not due yet
    taken = []
    now = 0.5
    while (due := cursor.take(now)) is not None:
        taken.append(due)
    assert len(taken) in (50, 51)
    assert taken[0] == first
    assert all(b - a == pytest.approx(0.01) for a, b in zip(taken, taken[1:], strict=False))
    assert cursor.due is not None and cursor.due > now


def test_pending_and_waited_follow_the_clock() -> None:
    cursor = constant_cursor(1000.0)
    first = cursor.due
    assert first is not None
    assert cursor.pending(first - 0.001) == 0 and cursor.waited_s(first - 0.001) == 0.0
    assert cursor.pending(first + 0.1) in (100, 101)
    assert cursor.waited_s(first + 0.1) == pytest.approx(0.1)


def test_expire_drops_exactly_the_stale_arrivals_in_bulk() -> None:
    cursor = constant_cursor(1000.0, max_wait_s=1.0)
    first = cursor.due
    assert first is not None
    assert cursor.expire(first + 1.0) == 0  # waited exactly the limit: kept
    now = first + 3.0
    dropped = cursor.expire(now)
    assert dropped == 2000  # the arrivals before now - 1 s
    due = cursor.due
    assert due is not None and due == pytest.approx(now - 1.0)
    started = 0
    while cursor.take(now) is not None:
        started += 1
    assert started in (1000, 1001)  # those of the last second are all still taken


def test_expire_counts_across_rate_stages_and_stops_at_the_end() -> None:
    curve = RateCurve.from_stages([RateStage(2, 100), RateStage(4, 300), RateStage(5, 200), RateStage(6, 0)])
    cursor = DueCursor(Arrivals(curve, 0.0, rng=random.Random(5)), max_wait_s=0.5)
    dropped = cursor.expire(4.5)  # everything before 4.0: 200 + 600
    assert dropped in (799, 800)
    assert cursor.due == pytest.approx(4.0, abs=0.005)
    assert cursor.expire(10.0) in (199, 200, 201)  # those of 4 s .. 5 s: none at rate 0
    assert cursor.due is None and cursor.take(10.0) is None and cursor.pending(10.0) == 0


def test_taking_and_dropping_together_account_for_every_arrival() -> None:
    rng = random.Random(11)
    for poisson in (False, True):
        arrivals = Arrivals(RateCurve.constant(500.0), 0.0, poisson=poisson, rng=rng)
        cursor = DueCursor(arrivals, max_wait_s=0.2)
        started = dropped = 0
        now = 0.0
        while now < 20.0:  # a user takes one every 3 ms, with a 400 ms stall each 2 s
            now += 0.403 if int(now * 1000) % 2000 < 3 else 0.003
            dropped += cursor.expire(now)
            started += cursor.take(now) is not None
        cursor_end = cursor.due
        assert cursor_end is not None
        expected = 500.0 * cursor_end
        assert abs(started + dropped - expected) < (5 if not poisson else 4 * expected**0.5)
        assert dropped > 0 and started > 0


def test_poisson_count_mean_and_spread() -> None:
    rng = random.Random(2)
    for mean in (0.0, 3.0, 200.0):
        samples = [poisson_count(mean, rng) for _ in range(4000)]
        average = sum(samples) / len(samples)
        variance = sum((s - average) ** 2 for s in samples) / len(samples)
        assert average == pytest.approx(mean, abs=0.1 + 0.02 * mean)
        assert variance == pytest.approx(mean, abs=0.2 + 0.1 * mean)
