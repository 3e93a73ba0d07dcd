"""A session's heartbeat, once a second: the run's time series, its state as Locust's runner reports it, and
the checks that watch it (workers lost, endpoint cap, histogram fallback, resources, the drill's verdict)."""

from __future__ import annotations

import socket
import time
from typing import TYPE_CHECKING, Any

import gevent
from locust.runners import LocalRunner, MasterRunner

from perfconsole.engine import stats_view
from perfconsole.engine.endpoint_steps import endpoint_rows
from perfconsole.engine.hdr.stages import StageKey
from perfconsole.engine.history import CurrentPercentiles, RunHistory
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import AGGREGATED, RunState
from perfconsole.model.run_events import StageChanged
from perfconsole.store.space import SpaceWatch

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession

WORKER_REPORT_INTERVAL_S = 3.0
"""How often Locust workers send their stats to the master (locust.runners.WORKER_REPORT_INTERVAL)."""


class Sampler:
    """Samples one session (through its public surface) and keeps the run's history."""

    def __init__(self, session: LoadSession) -> None:
        self._session = session
        self.history = RunHistory()
        self.resource_sample: ResourceSample | None = None
        """The latest resource sample (None until the first tick, or when sampling is off)."""
        self.space_watch = SpaceWatch(session.settings.runs_dir.resolve())
        """Free space in the runs directory against what saving this run will need."""
        self._stage: StageKey | None = None

    def loop(self, interval_s: float) -> None:
        """Tick every ``interval_s`` until killed (run in a greenlet of its own)."""
        while True:
            gevent.sleep(interval_s)
            try:
                self.tick()
            except Exception as exc:  # never let a sampling hiccup kill the loop
                self._log_error(exc)

    def tick(self) -> None:
        session = self._session
        runner = session.runner
        if runner is None:
            return
        if session.state.is_live:
            if runner.state == "running":
                session.state = RunState.RUNNING
            self._check_end(runner)
            self.record()
            self._tell_stage()
        else:
            self._stage = None  # a run started again tells its first stage
        clients = getattr(runner, "clients", None)  # a master's workers
        if clients is not None:
            session.worker_watch.check(clients.values(), running=session.state.is_live)
        if session.local_workers is not None and session.state.is_live:
            session.worker_watch.track(session.local_workers.pids)
        if session.lag is not None:
            session.lag.poll()
        self._warn_fold()
        self.note_fallback()
        if session.local_workers is not None:
            session.local_workers.poll_output()
        self._sample_resources()
        if session.state.is_live:
            self._watch_space()
        session.control.drills.check(self.history.points)

    def settle(self, runner: LocalRunner | MasterRunner, timeout_s: float) -> None:
        """Blocking: wait until users are stopped and, on a master, for the workers' last reports, then
        record a point (see ``LoadSession.settle``)."""
        deadline = time.monotonic() + timeout_s
        while runner.user_count and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if isinstance(runner, MasterRunner):
            gevent.sleep(min(WORKER_REPORT_INTERVAL_S + 0.5, max(0.0, deadline - time.monotonic())))
        self.record()

    def watch_end(self, interval_s: float) -> None:
        """Check for Locust's own end of a live run every ``interval_s`` (sooner than each second's tick),
        until killed (run in a greenlet of its own). As ``loop``: an error is logged, never raised (a
        greenlet's uncaught error is a traceback on the operator's terminal; one came from a check while a
        second interrupt stopped the workers at once)."""
        while True:
            gevent.sleep(interval_s)
            runner = self._session.runner
            try:
                if runner is not None and self._session.state.is_live:
                    self._check_end(runner)
            except Exception as exc:
                self._log_error(exc)

    def _log_error(self, exc: Exception) -> None:
        """An error of one of the sampler's greenlets, in the run's output log (never raised)."""
        self._session.output_log.add("sampler", f"{type(exc).__name__}: {exc}")

    def _check_end(self, runner: Any) -> None:
        """A run Locust ended by itself (shape, locustfile, workers) ends here too, with its reason."""
        session = self._session
        if not session.state.is_live:
            return
        spawning = session.control.user_target.spawning
        end = session.run_end.locust_end(runner, workers=session.worker_count, starting=spawning)
        if end is not None:
            session.control.kill_greenlets()
            session.mark_stopped(end)

    def record(self) -> None:
        """One point of the time series now (nothing before the run's start), and the endpoints' figures
        when a step is due or the run is over (its last figures)."""
        session = self._session
        runner, env = session.runner, session.env
        if runner is None or env is None or not session.clock.started:
            return
        full = bool(
            getattr(session.plan.parsed_options, "stats_history_enabled", False)
        )  # --csv-full-history
        elapsed = session.elapsed_s
        self.history.record(env, elapsed, self._current_total_percentiles(runner.stats.total), full)
        steps = self.history.steps
        if steps.due(elapsed) or not session.state.is_live:
            steps.record(round(elapsed, 1), endpoint_rows(runner.stats, session.hdr, elapsed))

    def _current_total_percentiles(self, total: Any) -> CurrentPercentiles:
        """p50, p95, p99 of the current window: the histograms' (Locust's if there are none)."""
        hdr = self._session.hdr
        if hdr is not None:
            hdr.flush()
            p50, _p90, p95, p99, *_rest = hdr.current("", AGGREGATED)
            return p50, p95, p99
        if not total.num_requests:
            return None, None, None
        # Locust answers None until its response-time cache covers the window.
        values = [total.get_current_response_time_percentile(q) for q in (0.5, 0.95, 0.99)]
        p50, p95, p99 = (None if v is None else float(v) for v in values)
        return p50, p95, p99

    def _tell_stage(self) -> None:
        """Tell the listeners when the live run entered another stage (the key of the figures per stage)."""
        key = self._session.control.stage_key()
        if key is not None and key != self._stage:
            self._session.notes.tell(StageChanged(*key))
        self._stage = key

    def note_fallback(self) -> None:
        """A warning (once) when the histograms fell back to Locust's figures."""
        session = self._session
        note = session.hdr.fallback_note() if session.hdr is not None else None
        if note and session.notes.warn(note):
            session.annotate(note.text, kind="warning")

    def _warn_fold(self) -> None:
        notes, fold = self._session.notes, self._session.endpoint_fold
        if fold is not None and fold.folded and notes.warn(fold.warning()):
            notes.announce(fold.warning().text, "warning")

    def _watch_space(self) -> None:
        """Warn (once) when the runs directory has less free space than this run's save will need, sized
        for the run's planned end (or now, for a run until stopped)."""
        session = self._session
        runner = session.runner
        if runner is None:
            return
        seconds = max(session.elapsed_s, session.control.deadline.duration_s or 0.0)
        endpoints = len(runner.stats.entries)
        failures = len(runner.stats.errors)
        warning = self.space_watch.check(seconds, endpoints, failures)
        if warning is not None and session.notes.warn(warning):
            session.notes.announce(warning.text, "warning")

    def _sample_resources(self) -> None:
        session = self._session
        if session.monitor is None:
            return
        hostname = socket.gethostname()
        workers = stats_view.workers(session.runner) if session.runner is not None else ()
        if session.local_workers is not None:  # measured with psutil already; heartbeats add nothing
            workers = tuple(w for w in workers if not w.id.startswith(f"{hostname}_"))
        update = session.monitor.poll(elapsed_s=session.elapsed_s, workers=workers)
        self.resource_sample = update.sample
        for warning in update.warnings:
            session.notes.warn(warning)
            session.annotate(warning.text, kind="warning")
