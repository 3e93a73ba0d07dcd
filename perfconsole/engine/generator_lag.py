"""How late the load generator's event loop runs: a generator that cannot keep up (saturated, or starved of
CPU on a busy machine, where its CPU share never reaches the saturation limit) delays every user's next
step, and the delay is counted as response time.

- ``LagProbe``: a greenlet that sleeps ``TICK_S`` and records how much later it woke, the worst per second.
- ``install_worker_lag``: in a worker process, the probe's seconds go to the master with every report.
- ``LagWatch``: beside the console's runner; reads the workers' seconds (and, with ``--workers 0``, probes
  the console process itself) and warns once per episode when a generator ran ``LIMIT_MS`` late or more for
  ``SUSTAIN_S`` seconds in a row (a RunWarning of kind GENERATOR_LAG, annotated at its time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import gevent

from perfconsole.model.run_warnings import RunWarning, WarningKind

TICK_S = 0.1
LIMIT_MS = 100.0
SUSTAIN_S = 3
WIRE_KEY = "perfconsole_lag"
"""Key of the worker's ``[[epoch second, worst lateness ms], ...]`` in its report's data."""


class LagProbe:
    """The worst lateness (ms) of a ``TICK_S`` sleep, per epoch second, until drained."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}
        self._greenlet = gevent.spawn(self._loop)

    def _loop(self) -> None:
        while True:
            asked = time.monotonic()
            gevent.sleep(TICK_S)
            late_ms = max(0.0, (time.monotonic() - asked - TICK_S) * 1000.0)
            second = int(time.time())
            if late_ms > self.seconds.get(second, -1.0):
                self.seconds[second] = late_ms

    def drain(self) -> list[list[float]]:
        done = sorted(self.seconds.items())
        self.seconds = {}
        return [[second, round(late, 1)] for second, late in done]

    def stop(self) -> None:
        self._greenlet.kill(block=False)


def install_worker_lag(environment: Any) -> LagProbe:
    probe = LagProbe()

    def on_report_to_master(client_id: str, data: dict[str, Any]) -> None:
        data[WIRE_KEY] = probe.drain()

    environment.events.report_to_master.add_listener(on_report_to_master)
    return probe


def lag_warning(source: str, worst_ms: float, seconds: int) -> RunWarning:
    detail = f"{source} event loop {worst_ms:.0f} ms late for {seconds} s"
    return RunWarning(
        WarningKind.GENERATOR_LAG,
        f"load generator lagging: {detail} (at least {LIMIT_MS:g} ms); it cannot keep up (saturated or "
        "starved of CPU): response times include its delay - add workers, reduce users or free the machine",
        detail,
    )


class LagWatch:
    """Every generator's lateness, one episode warning at a time per generator."""

    def __init__(self, warn: Callable[[RunWarning], object], local: bool) -> None:
        self._warn = warn
        self._runs: dict[str, tuple[int, int, float]] = {}
        """Source -> (first second, last second, worst ms) of its current run of late seconds."""
        self._warned: set[str] = set()
        self._probe = LagProbe() if local else None
        self._environment: Any = None

    def attach(self, environment: Any) -> None:
        self._environment = environment
        environment.events.worker_report.add_listener(self._on_worker_report)
        environment.events.test_start.add_listener(self._on_test_start)

    def poll(self) -> None:
        """Read the in-process probe (``--workers 0``); call about once a second."""
        if self._probe is not None:
            self.observe("this process", self._probe.drain())

    def _on_worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        seconds = data.get(WIRE_KEY)
        if isinstance(seconds, list):
            self.observe(f"worker {client_id}", seconds)

    def _on_test_start(self, **_kwargs: Any) -> None:
        self._runs.clear()
        self._warned.clear()

    def observe(self, source: str, seconds: list[Any]) -> None:
        for item in seconds:
            try:
                second, late_ms = int(item[0]), float(item[1])
            except (TypeError, ValueError, IndexError):
                continue
            first, last, worst = self._runs.get(source, (second, second - 1, 0.0))
            if late_ms < LIMIT_MS or second > last + 1:
                if late_ms < LIMIT_MS:
                    self._runs.pop(source, None)
                    self._warned.discard(source)
                    continue
                first, worst = second, 0.0
            self._runs[source] = (first, second, max(worst, late_ms))
            length = second - first + 1
            if length >= SUSTAIN_S and source not in self._warned:
                self._warned.add(source)
                self._warn(lag_warning(source, max(worst, late_ms), length))

    def close(self) -> None:
        if self._probe is not None:
            self._probe.stop()
        if self._environment is not None:
            self._environment.events.worker_report.remove_listener(self._on_worker_report)
            self._environment.events.test_start.remove_listener(self._on_test_start)
