"""A load session: one scenario, one Locust Environment, its runner and worker processes.

Blocking methods (``prepare``, ``finish``, ``close``) are gevent-cooperative: call them from a greenlet
(``perfconsole.tui.greenlets.run_blocking`` from a coroutine), never straight from a coroutine.
Control methods (``start``, ``set_users``, ``stop`` ...) return at once: the Locust calls they make run in
greenlets. Reads (``snapshot``, ``history``, ``annotations``) are cheap and never reset Locust's stats.

The session's jobs live in modules of their own: its state and shared reads in ``session_core``, runner
control and live controls (the spike drill too) in ``control``, the drill's verdict in ``spike_drill``, Locust
internals in the ``locust`` package, worker processes in ``workers``, the preparation steps in
``preparation``, snapshot and result in ``snapshots``. This module prepares, samples each second, and ends
the session.
"""

from __future__ import annotations

import os
import socket
import time

import gevent
import locust
from locust.runners import LocalRunner, MasterRunner
from locust.stats import stats_history

from perfconsole.engine import preparation, snapshots, spike_drill, stats_view
from perfconsole.engine.cardinality import MAX_ENDPOINTS_ENV, EndpointFold, install_fold
from perfconsole.engine.control import WORKER_REPORT_INTERVAL_S, RunControl
from perfconsole.engine.events import Lifecycle, remove_listeners
from perfconsole.engine.hdr.hooks import HdrStats
from perfconsole.engine.scenario import load_scenario
from perfconsole.model.run import RunResult, RunSnapshot, RunState, ThresholdResult
from perfconsole.model.stages import StageStats
from perfconsole.user_mix import apply_profile_mix
from perfconsole.verdicts.resources import resource_verdicts

__all__ = ["LoadSession", "SAMPLE_INTERVAL_S", "WORKER_EXIT_WAIT_S", "WORKER_REPORT_INTERVAL_S"]

SAMPLE_INTERVAL_S = 1.0
WORKER_EXIT_WAIT_S = 5.0


class LoadSession(RunControl):
    """Owns the Environment, the runner, local workers and (when no host is given) the demo target."""

    # ----------------------------------------------------------------------------- lifecycle (blocking)
    def prepare(self) -> None:
        """Load the scenario, start the demo target if needed, build the runner, connect the workers."""
        try:
            self._prepare()
        except BaseException:
            self.state = RunState.FAILED
            self.close()
            raise

    def _prepare(self) -> None:
        self._log.install()
        self.scenario = load_scenario(self.plan.scenario_path, self.plan.user_classes, self.plan.locustfiles)
        if self.profile is not None:  # before anything starts: an unknown class is an error
            apply_profile_mix(self.profile, self.scenario)
        choice = preparation.choose_host(self.plan, self.settings, self.scenario)
        self.host, self.demo_target = choice.host, choice.demo_target
        preparation.preflight(self.plan, self.settings, self.host)
        self.worker_count = preparation.worker_count(self.plan, self.settings)
        self.env = preparation.build_environment(
            self.plan, self.scenario, choice.environment_host, preparation.run_label(self.plan, self.profile)
        )
        external = max(0, self.plan.expect_workers - self.worker_count)
        self.endpoint_fold = EndpointFold(self.settings.max_endpoints)
        os.environ[MAX_ENDPOINTS_ENV] = str(self.settings.max_endpoints)  # local workers inherit it
        if self.worker_count == 0 and external == 0:
            self.runner = self.env.create_local_runner()
        else:
            self._start_master(external)
        assert self.runner is not None
        self.hdr = HdrStats(
            self.env,
            self.runner.stats,
            local=isinstance(self.runner, LocalRunner),
            window_s=self.settings.window_s,
        )
        self._uninstall_fold = install_fold(self.env, self.runner, self.endpoint_fold, self.hdr.name_users())
        self.lifecycle = Lifecycle(self.env)
        self.lifecycle.init(self._require_runner())
        if self.plan.resources:
            self.monitor = preparation.resource_monitor(
                self.plan, self.settings, self.host, self.demo_target, self.worker_pids
            )
        self._greenlets.append(gevent.spawn(stats_history, self.runner))
        self._greenlets.append(gevent.spawn(self._sample_loop))
        self.state = RunState.READY

    def _start_master(self, external: int) -> None:
        """The master on its address, local workers started, and every expected worker connected (each
        part kept on the session as soon as it runs, so that ``close`` stops it if a later step fails)."""
        assert self.env is not None
        runner = preparation.create_master(self.env, self.plan)
        self.runner = runner
        self.master_port = runner.server.port
        if self.worker_count:
            self.local_workers = preparation.local_workers(
                self.plan, self.master_port, self.worker_count, self.output_log
            )
            self.local_workers.start()
        expected = self.worker_count + external
        preparation.connect_workers(runner, self.plan, expected, external, self.local_workers, self._status)
        self.worker_count = expected

    def finish(self) -> None:
        """End the run for good: stop users and collect the workers' final stats (Locust's quit)."""
        runner = self.runner
        if runner is None:
            return
        self._kill_control_greenlets()
        if self.state.is_active:
            self._mark_stopped("run finished")
        self._join_stop()
        runner.quit()  # on a master, workers send a final report before exiting
        self._record_sample()
        self.state = RunState.QUIT
        if self.lifecycle is not None:
            self.process_exit_code = self.lifecycle.quitting()
        if self.local_workers is not None:  # their quit hooks' output belongs to this run's log
            self.local_workers.wait_exited(WORKER_EXIT_WAIT_S)
            self.local_workers.poll_output(final=True)

    def fire_quit(self, exit_code: int) -> None:
        """Locust's ``quit`` event with the process's exit code (once; ``close`` fires it if nobody did)."""
        if self.lifecycle is not None:
            self.lifecycle.quit(exit_code)

    def _join_stop(self) -> None:
        """Let a stop in progress end (users finishing within --stop-timeout, then ``test_stop``) before
        quitting, so that quit never stops the same users a second time."""
        glet = self._stop_greenlet
        if glet is not None and not glet.dead and glet is not gevent.getcurrent():
            glet.join(timeout=self.plan.stop_timeout_s + 70.0)

    def close(self) -> None:
        """Stop everything this session started; idempotent; leaves no process behind."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.runner is not None and self.state != RunState.QUIT:
                self._kill_control_greenlets()
                try:
                    with gevent.Timeout(10):
                        self._join_stop()
                        self.runner.quit()
                except (gevent.Timeout, Exception):
                    pass
            if self.lifecycle is not None:
                try:
                    with gevent.Timeout(10):
                        if not self.lifecycle.quitting_fired:
                            self.process_exit_code = self.lifecycle.quitting()
                        code = self.process_exit_code
                        self.fire_quit(code if code is not None else 0)
                except gevent.Timeout:
                    pass
        finally:
            for glet in self._greenlets:
                glet.kill(block=False)
            if self.hdr is not None:
                self.hdr.close()
            self._uninstall_fold()
            if self.monitor is not None:
                self.monitor.close()
            if self.local_workers is not None:
                self.local_workers.stop()
            if self.demo_target is not None:
                self.demo_target.stop()
            self._log.uninstall()
            # the next session imports the locustfiles afresh: their listeners (and the runner's) go now
            remove_listeners(locust.events, self.locustfiles, (self.runner, self.env))
            if self.state != RunState.FAILED:
                self.state = RunState.QUIT

    # ----------------------------------------------------------------------------- reads
    def snapshot(self) -> RunSnapshot:
        return snapshots.build_snapshot(self)

    def result(self, interrupted: bool = False) -> RunResult:
        """The run so far, without verdicts (perfconsole.application evaluates them)."""
        return snapshots.build_result(self, interrupted, self.snapshot(), self.stages())

    def encoded_histograms(self) -> dict[str, str]:
        """The whole run's histograms in HdrHistogram's standard encoding (for saving; a few ms each)."""
        return self.hdr.encoded() if self.hdr is not None else {}

    def stages(self) -> tuple[StageStats, ...]:
        """Figures per stage of the run so far (see perfconsole.engine.hdr.stages)."""
        if self.hdr is None:
            return ()
        return self.hdr.aggregator.stages.stats(time.time(), self.elapsed_s)

    def resource_thresholds(self) -> tuple[ThresholdResult, ...]:
        """Resource limits, and a failed ``workers lost`` check while a lost worker is away."""
        checked = resource_verdicts(self.monitor) if self.monitor is not None else ()
        return checked + self._worker_watch.thresholds()

    # ----------------------------------------------------------------------------- sampling (each second)
    def _sample_loop(self) -> None:
        while True:
            gevent.sleep(SAMPLE_INTERVAL_S)
            try:
                self._tick()
            except Exception as exc:  # never let a sampling hiccup kill the loop
                self.output_log.add("sampler", f"{type(exc).__name__}: {exc}")

    def _tick(self) -> None:
        runner = self.runner
        if runner is None:
            return
        if self.state.is_live:
            if runner.state == "running":
                self.state = RunState.RUNNING
            elif runner.state == "stopped" and not (self._start_greenlet and not self._start_greenlet.dead):
                self._mark_stopped("run ended (shape finished)")
            self._record_sample()
        self._watch_workers(runner)
        self._warn_fold()
        self._note_fallback()
        if self.local_workers is not None:
            self.local_workers.poll_output()
        self._sample_resources()
        spike_drill.check_verdict(self)

    def _sample_resources(self) -> None:
        if self.monitor is None:
            return
        hostname = socket.gethostname()
        workers = stats_view.workers(self.runner) if self.runner is not None else ()
        if self.local_workers is not None:  # measured with psutil already; heartbeats add nothing
            workers = tuple(w for w in workers if not w.id.startswith(f"{hostname}_"))
        update = self.monitor.poll(elapsed_s=self.elapsed_s, workers=workers)
        self.resource_sample = update.sample
        for warning in update.warnings:
            self._add_warning(warning)
            self.annotate(warning.text, kind="warning")

    def _watch_workers(self, runner: LocalRunner | MasterRunner) -> None:
        clients = getattr(runner, "clients", None)
        if clients is None:
            return
        self._worker_watch.check(clients.values(), running=self.state.is_live)

    def _warn_fold(self) -> None:
        fold = self.endpoint_fold
        if fold is not None and fold.folded and fold.warning() not in self._warnings:
            self._add_warning(fold.warning())
            self._announce(fold.warning().text, "warning")
