"""The pacer's pool growth against its CPU gauge (pure: a fake runner, clock and CPU readings)."""

from __future__ import annotations

from typing import Any

import pytest
from locust.event import Events

from perfconsole.engine.arrival.cpu_gauge import MIN_WINDOW_S, CpuGauge, read_busy_s
from perfconsole.engine.arrival.messages import GROW
from perfconsole.engine.arrival.pacer import ArrivalPacer
from perfconsole.engine.arrival.schedule import Arrivals, RateCurve


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeRunner:
    def __init__(self, users: int) -> None:
        self.user_count = users
        self.environment = type("Env", (), {"events": Events()})()
        self.sent: list[tuple[str, Any]] = []

    def register_message(self, *_args: Any) -> None:
        pass

    def send_message(self, kind: str, data: Any) -> None:
        self.sent.append((kind, data))


def test_gauge_reads_the_busy_share_of_each_window() -> None:
    clock, busy = Clock(), [10.0]
    gauge = CpuGauge(clock, lambda: busy[0])
    clock.now += 1.0
    busy[0] += 0.95
    assert gauge.read() == pytest.approx(0.95)
    clock.now += 0.1  # within MIN_WINDOW_S: the last reading again
    busy[0] += 0.0
    assert gauge.read() == pytest.approx(0.95)
    clock.now += 2 * MIN_WINDOW_S
    busy[0] += 0.1 * MIN_WINDOW_S
    assert gauge.read() == pytest.approx(0.1 * MIN_WINDOW_S / (0.1 + 2 * MIN_WINDOW_S))


def test_read_busy_s_counts_this_threads_work() -> None:
    before = read_busy_s()
    total = sum(i * i for i in range(300_000))  # some CPU work
    assert total > 0
    assert read_busy_s() > before


def _pacer(busy_share: float) -> tuple[ArrivalPacer, FakeRunner, Clock]:
    clock, busy = Clock(), [0.0]
    gauge = CpuGauge(clock, lambda: busy[0])
    runner = FakeRunner(users=10)
    pacer = ArrivalPacer(runner, clock=clock, gauge=gauge)
    pacer.ceiling = 100
    pacer._arrivals = Arrivals(RateCurve.constant(1000.0), 0.0)
    pacer._iteration_s, pacer._iterations = 0.05 * 20, 20  # 50 ms an iteration: 1000/s needs 50 users
    clock.now += 1.0
    busy[0] += busy_share
    return pacer, runner, clock


def test_a_pool_grows_by_littles_law_while_the_process_has_cpu_to_spare() -> None:
    pacer, runner, _clock = _pacer(busy_share=0.3)
    pacer._ask_to_grow(5.0)
    assert runner.sent == [(GROW, {"need": 63 - 10})]  # ceil(1000 x 0.05 x 1.25) = 63


def test_a_busy_generator_does_not_grow_its_pool() -> None:
    pacer, runner, clock = _pacer(busy_share=0.95)
    pacer._ask_to_grow(5.0)
    assert runner.sent == []
    # once the process has CPU to spare again, the pool grows
    clock.now += 1.0
    pacer._ask_to_grow(6.0)
    assert [kind for kind, _ in runner.sent] == [GROW]
