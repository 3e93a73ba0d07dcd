"""ResourceMonitor: sampler + scraper + saturation detector + history, driven about once a second.

Two ways to drive it, both safe in the gevent-patched engine process (psutil reads are short syscalls,
httpx uses the patched sockets, and ``Event.wait``/``time.sleep`` yield to other greenlets):

* call :meth:`ResourceMonitor.poll` from the engine's own 1 Hz tick, or
* ``gevent.spawn(monitor.run, stop_event, workers_provider=..., on_update=...)``; ``run`` returns when
  ``stop_event`` is set. It never overlaps itself: a slow tick delays the next one instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import psutil

from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import ThresholdResult, WorkerInfo
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.resources.options import ResourceOptions
from perfconsole.resources.sampler import ResourceSampler
from perfconsole.resources.saturation import SaturationDetector
from perfconsole.resources.scraper import PrometheusScraper
from perfconsole.resources.summary import ResourceHistory
from perfconsole.resources.target import TargetAddress, TargetProcess, find_target_process, target_address


class StopEvent(Protocol):
    """What ``run`` needs of a stop event (threading.Event and gevent.event.Event both fit)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class MonitorUpdate:
    """The result of one tick."""

    sample: ResourceSample
    warnings: tuple[RunWarning, ...] = ()
    """New warnings raised by this tick (saturation, scrape failures), one line each."""


class ResourceMonitor:
    """Samples resources for one run and keeps its history.

    ``host_url`` is the load target; with ``options.auto_target`` and a loopback host, the target process
    is the one listening on its port. ``local_worker_pids`` are worker processes on this machine.
    """

    def __init__(
        self,
        options: ResourceOptions | None = None,
        *,
        host_url: str | None = None,
        local_worker_pids: Sequence[int] = (),
        console_pid: int | None = None,
    ) -> None:
        self.options = options or ResourceOptions()
        self.host_url = host_url
        self.address: TargetAddress | None = target_address(host_url) if host_url else None
        self.target: TargetProcess | None = find_target_process(
            pid=self.options.target_pid,
            name=self.options.target_name,
            url=host_url,
            auto=self.options.auto_target,
        )
        self.sampler = ResourceSampler(
            console_pid=console_pid,
            local_worker_pids=local_worker_pids,
            target_pid=self.target.pid if self.target else None,
            target_address=self.address,
        )
        self.scraper = (
            PrometheusScraper(
                self.options.metrics_url,
                series=self.options.series,
                rate_series=self.options.rate_series,
                interval_s=self.options.scrape_interval_s,
                timeout_s=self.options.scrape_timeout_s,
            )
            if self.options.metrics_url
            else None
        )
        self.detector = SaturationDetector(high_pct=self.options.saturation_pct)
        self.history = ResourceHistory()
        self.history.target_label = self.target.label if self.target else None
        self.history.remote_target = self._remote_host()
        self._metrics: dict[str, float] = {}
        self._scrape_failing = False
        self._started = time.monotonic()
        self._rediscover_at = 0.0

    def reset(self) -> None:
        """Start a new run's history (samples, peaks, warnings, saturation episodes); keep the target."""
        label = self.history.target_label
        self.history = ResourceHistory()
        self.history.target_label = label
        self.history.remote_target = self._remote_host()
        self.detector = SaturationDetector(high_pct=self.options.saturation_pct)
        self._scrape_failing = False
        self._started = time.monotonic()

    def _remote_host(self) -> str | None:
        """The target's host when it is not on this machine and no process was given to watch."""
        if self.target is not None or self.address is None or self.address.is_local:
            return None
        return self.address.host

    def set_local_workers(self, pids: Sequence[int]) -> None:
        self.sampler.set_local_workers(pids)

    def poll(
        self, *, elapsed_s: float | None = None, workers: Sequence[WorkerInfo] = (), now: float | None = None
    ) -> MonitorUpdate:
        """Take one sample (scraping too when due) and record it. Call about once a second."""
        mono = time.monotonic() if now is None else now
        elapsed = mono - self._started if elapsed_s is None else elapsed_s
        warnings: list[RunWarning] = []
        if self.scraper is not None:
            scraped = self.scraper.maybe_scrape(mono)
            if scraped is not None:
                if scraped.ok:
                    self._metrics = scraped.values
                    self._scrape_failing = False
                elif not self._scrape_failing:
                    self._scrape_failing = True
                    text = f"target metrics unavailable: {scraped.error}"
                    warnings.append(RunWarning(WarningKind.METRICS_UNAVAILABLE, text))
        self._rediscover_target(mono)
        sample = self.sampler.sample(elapsed, workers=workers, metrics=self._metrics)
        saturation = self.detector.observe_processes(sample.generator_processes)
        for warning in saturation:
            self.history.add_warning(warning.text)
        warnings.extend(saturation)
        self.history.add(sample)
        return MonitorUpdate(sample, tuple(warnings))

    def _rediscover_target(self, mono: float) -> None:
        """A target found by port that restarted is looked for again (at most every 10 s)."""
        if self.options.target_pid is not None or self.options.target_name or not self.options.auto_target:
            return
        if self.address is None or not self.address.is_local or self.host_url is None:
            return
        pid = self.sampler.target_pid
        if (pid is not None and psutil.pid_exists(pid)) or mono < self._rediscover_at:
            return
        self._rediscover_at = mono + 10.0
        found = find_target_process(url=self.host_url, auto=True)
        if found is not None and found.pid != pid:
            self.target = found
            self.history.target_label = found.label
            self.sampler.set_target(found.pid, "target")

    def run(
        self,
        stop_event: StopEvent,
        *,
        workers_provider: Callable[[], Sequence[WorkerInfo]] = tuple,
        on_update: Callable[[MonitorUpdate], None] | None = None,
    ) -> None:
        """Poll every ``options.sample_interval_s`` until ``stop_event`` is set (run it in a greenlet)."""
        interval = self.options.sample_interval_s
        next_tick = time.monotonic()
        while not stop_event.is_set():
            update = self.poll(workers=workers_provider())
            if on_update is not None:
                on_update(update)
            next_tick = max(next_tick + interval, time.monotonic())
            stop_event.wait(max(0.0, next_tick - time.monotonic()))

    def to_dict(self, thresholds: Sequence[ThresholdResult] = ()) -> dict[str, object]:
        """History as plain JSON types, plus the given threshold results (for ``RunResult.resources``)."""
        data = self.history.to_dict()
        data["thresholds"] = [
            {"metric": t.metric, "limit": t.limit, "actual": t.actual, "passed": t.passed} for t in thresholds
        ]
        return data

    def summary_lines(self) -> list[str]:
        return self.history.summary_lines()

    def close(self) -> None:
        if self.scraper is not None:
            self.scraper.close()
