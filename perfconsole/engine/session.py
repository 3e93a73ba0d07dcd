"""A load session: one scenario, one Locust Environment, its runner and worker processes.

Blocking methods (``prepare``, ``settle``, ``finish``, ``close``) are gevent-cooperative: call them from a
greenlet (``perfconsole.tui.greenlets.run_blocking`` from a coroutine), never straight from a coroutine.
Control methods (``start``, ``set_users``, ``stop`` ...) return at once: the Locust calls they make run in
greenlets. Reads (``snapshot``, ``history``, ``annotations``) are cheap and never reset Locust's stats.

The session composes collaborators with a job and a public surface each: ``machinery`` (Locust's parts, built
step by step), ``clock``, ``notes`` (annotations, warnings), ``worker_watch``, ``run_end`` (why the run
ended), ``sampler`` (each second) and ``control`` (users, shape, spike drill, deadline, arrival rate, capacity
search). A new
control is a new collaborator, not more state here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gevent
from locust.env import Environment
from locust.runners import LocalRunner, MasterRunner
from locust.stats import stats_history

from perfconsole.config import Profile, Settings, SpikeDrill
from perfconsole.engine import snapshots
from perfconsole.engine.arrival.dial import ArrivalDial
from perfconsole.engine.cardinality import EndpointFold
from perfconsole.engine.clock import RunClock
from perfconsole.engine.control import RunControl
from perfconsole.engine.events import Lifecycle
from perfconsole.engine.generator_lag import LagWatch
from perfconsole.engine.greenlet_set import SessionGreenlets
from perfconsole.engine.hdr.hooks import HdrStats
from perfconsole.engine.live_noise import RunNoise, live_noise
from perfconsole.engine.machinery import LocustMachinery
from perfconsole.engine.notes import RunNotes
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.run_end import RunEndWatch
from perfconsole.engine.sampler import Sampler
from perfconsole.engine.scenario import LoadedScenario
from perfconsole.engine.search.driver import CapacitySearch
from perfconsole.engine.workers.local import LocalWorkers
from perfconsole.engine.workers.loss import WorkerLossWatch
from perfconsole.engine.workers.output import OperatorLog
from perfconsole.errors import UserError
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation, HistoryPoint, RunResult, RunSnapshot, RunState
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.model.run_events import RunEvent, RunStarted, RunStopped
from perfconsole.model.run_warnings import RunWarning
from perfconsole.model.stages import StageStats
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.verdicts.drills import RecoveryVerdict

if TYPE_CHECKING:
    from perfconsole.demo_target.process import DemoTargetProcess

__all__ = ["LoadSession", "SAMPLE_INTERVAL_S", "WORKER_EXIT_WAIT_S"]

SAMPLE_INTERVAL_S = 1.0
END_CHECK_S = 0.25
WORKER_EXIT_WAIT_S = 5.0


class LoadSession:
    """One run's session: prepared once, started (again) and controlled, finished, closed."""

    def __init__(self, plan: RunPlan, settings: Settings) -> None:
        self.plan = plan
        self.settings = settings
        self.profile: Profile | None = plan.profile
        self.state = RunState.PREPARING
        self.process_exit_code: int | None = None
        """``environment.process_exit_code`` as the ``quitting`` hooks left it (None: not set)."""
        self.output_log = OperatorLog()
        """Workers' output and Locust's warnings for the operator (log view, stderr, workers.log)."""
        self.machinery = LocustMachinery(plan, settings, self.output_log)
        # the collaborators
        self.clock = RunClock()
        self.notes = RunNotes(lambda: self.clock.elapsed_s)
        self.worker_watch = WorkerLossWatch(
            self.notes.announce, self.notes.warn, lambda: self.control.respawn_after_loss()
        )
        self.run_end = RunEndWatch()  # why the run ended
        self.lag: LagWatch | None = None
        """How late the generators' event loops run (set up with the runner)."""
        self.control = RunControl(self)
        self.sampler = Sampler(self)
        self.greenlets = SessionGreenlets()  # what this session started, to stop in close()
        self._closed = False

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
        machinery = self.machinery
        machinery.start_runner(self.profile, self.notes.status)
        env, runner = machinery.require()
        self.run_end.attach(env, runner)
        self.lag = LagWatch(self._warn_and_announce, local=isinstance(runner, LocalRunner))
        self.lag.attach(env)
        hdr = machinery.add_histograms()
        self.control.attach(env, runner, hdr)
        machinery.complete()
        self.greenlets.spawn(stats_history, runner)
        self.greenlets.spawn(self.sampler.loop, SAMPLE_INTERVAL_S)
        self.greenlets.spawn(self.sampler.watch_end, END_CHECK_S)
        self.state = RunState.READY

    def finish(self) -> None:
        """End the run for good: stop users and collect the workers' final stats (Locust's quit)."""
        runner = self.runner
        if runner is None:
            return
        self.control.kill_greenlets()
        if self.state.is_active:
            self.mark_stopped(RunEnd(EndKind.INTERRUPTED, "stopped before its end"))
        self._join_stop()
        runner.quit()  # on a master, workers send a final report before exiting
        self.sampler.record()
        self.state = RunState.QUIT
        if self.lifecycle is not None:
            self.process_exit_code = self.lifecycle.quitting()
        if self.local_workers is not None:  # their quit hooks' output belongs to this run's log
            self.local_workers.wait_exited(WORKER_EXIT_WAIT_S)
            self.local_workers.poll_output(final=True)
            self.worker_watch.check_exits(self.local_workers.ended_by_signal())

    def fire_quit(self, exit_code: int) -> None:
        """Locust's ``quit`` event with the process's exit code (once; ``close`` fires it if nobody did)."""
        if self.lifecycle is not None:
            self.lifecycle.quit(exit_code)

    def _join_stop(self) -> None:
        self.greenlets.join_stop(self.plan.stop_timeout_s + 70.0)

    def close(self) -> None:
        """Stop everything this session started; idempotent; leaves no process behind."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.runner is not None and self.state != RunState.QUIT:
                self.control.kill_greenlets()
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
            self.greenlets.kill_all()
            self.control.rate.close()
            self.run_end.release()
            if self.lag is not None:
                self.lag.close()
            self.machinery.teardown()
            if self.state != RunState.FAILED:
                self.state = RunState.QUIT

    # ----------------------------------------------------------------------------- controls (see control.py)
    def start(self) -> None:
        """Start the plan: a staged profile (or the scenario's shape) or users at a spawn rate."""
        self.control.start()
        self.notes.tell(RunStarted(self.clock.started_at))

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        """Re-target the running test (keeps stats). Leaves any staged shape: the operator took over."""
        self.control.set_users(users, spawn_rate)

    def apply_profile(self, profile: Profile) -> None:
        """Switch profile mid-run: a staged one starts its stages now; a flat one sets users and duration."""
        self.control.apply_profile(profile)

    def pause(self) -> None:
        """Drop to 0 users, remembering the level to resume to."""
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def fire_spike(self, drill: SpikeDrill | None = None) -> None:
        """Jump to the drill's users for its duration, then back to the level before; annotated."""
        self.control.fire_spike(drill)

    def stop(self) -> None:
        """Stop all users; the workers stay connected so the run can be started again."""
        self.require_runner()
        if not self.state.is_live:
            return
        self.control.kill_greenlets()
        self.end_run(RunEnd(EndKind.OPERATOR, "stopped by operator"))

    def settle(self, timeout_s: float = 10.0) -> None:
        """Blocking: after a stop, wait until users are stopped and the workers' last stats have arrived
        (they report every 3 s), so a snapshot taken next holds every request of the run."""
        self.sampler.settle(self.require_runner(), timeout_s)

    def _warn_and_announce(self, warning: RunWarning) -> None:
        if self.notes.warn(warning):
            self.notes.announce(warning.text, "warning")

    def annotate(self, text: str, kind: str = "note") -> Annotation:
        return self.notes.annotate(text, kind=kind)

    def mark_stopped(self, end: RunEnd) -> None:
        """The run is over: a last sample, why annotated (a shape's end noted first wins), clock stopped."""
        self.control.rate.end()
        end = self.run_end.note(end)
        self.sampler.record()
        self.annotate(end.reason, kind="warning" if end.failed else "users")
        self.clock.stop()
        self.state = RunState.STOPPED
        self.notes.tell(RunStopped(end))

    def end_run(self, end: RunEnd) -> None:
        """Mark the run stopped and stop Locust's users (in a greenlet; ``finish`` waits for it)."""
        self.mark_stopped(end)
        self.greenlets.spawn_stop(self.require_runner().stop)

    def reset_run(self) -> None:
        """A new run of the same session: its history, notes and per-run checks start empty."""
        self.sampler.history.clear()
        self.notes.clear()
        self.worker_watch.reset()
        self.control.reset()
        if self.hdr is not None:
            self.hdr.reset()

    def spawn_tracked(self, fn: Callable[..., Any], *args: Any) -> gevent.Greenlet:
        """A greenlet killed when the session closes."""
        return self.greenlets.spawn(fn, *args)

    def require_runner(self) -> LocalRunner | MasterRunner:
        return self.machinery.require()[1]

    def require_running(self) -> None:
        self.require_runner()
        if not self.state.is_live:
            raise UserError(f"no run in progress (state: {self.state})")

    # ----------------------------------------------------------------------------- reads
    # the Locust machinery (see machinery.py)
    @property
    def env(self) -> Environment | None:
        return self.machinery.env

    @property
    def runner(self) -> LocalRunner | MasterRunner | None:
        return self.machinery.runner

    @property
    def scenario(self) -> LoadedScenario | None:
        return self.machinery.scenario

    @property
    def host(self) -> str:
        return self.machinery.host

    @property
    def demo_target(self) -> DemoTargetProcess | None:
        return self.machinery.demo_target

    @property
    def worker_count(self) -> int:
        return self.machinery.worker_count

    @property
    def local_workers(self) -> LocalWorkers | None:
        return self.machinery.local_workers

    @property
    def master_port(self) -> int | None:
        return self.machinery.master_port

    @property
    def hdr(self) -> HdrStats | None:
        return self.machinery.hdr

    @property
    def endpoint_fold(self) -> EndpointFold | None:
        return self.machinery.endpoint_fold

    @property
    def lifecycle(self) -> Lifecycle | None:
        return self.machinery.lifecycle

    @property
    def monitor(self) -> ResourceMonitor | None:
        return self.machinery.monitor

    @property
    def elapsed_s(self) -> float:
        return self.clock.elapsed_s

    @property
    def started_at(self) -> float:
        return self.clock.started_at

    @property
    def status_listeners(self) -> list[Callable[[str], None]]:
        return self.notes.status_listeners

    @property
    def run_listeners(self) -> list[Callable[[RunEvent], None]]:
        """Called with the run's lifecycle events: started, stage changed, stopped (from greenlets)."""
        return self.notes.run_listeners

    @property
    def spike_verdict(self) -> RecoveryVerdict | None:
        return self.control.drills.verdict

    @property
    def resource_sample(self) -> ResourceSample | None:
        return self.sampler.resource_sample

    @property
    def history(self) -> tuple[HistoryPoint, ...]:
        return tuple(self.sampler.history.points)

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return self.notes.annotations

    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        """Reasons the figures may be unreliable (generator saturation ...), one line each."""
        return self.notes.warnings

    def output_tail(self, count: int) -> list[str]:
        """The operator log's last lines: workers' output and Locust's warnings, prefixed by source."""
        return self.output_log.tail(count)

    @property
    def worker_pids(self) -> list[int]:
        return self.machinery.worker_pids

    @property
    def active_shape(self) -> str | None:
        """The shape the run follows now (a locustfile's class name or a staged profile's name), or None."""
        return self.control.shapes.title

    @property
    def arrival(self) -> ArrivalDial:
        """The arrival-rate dial (``engine.arrival.dial``): set a rate, leave it, read its figures."""
        return self.control.rate

    @property
    def search(self) -> CapacitySearch:
        """The capacity search (``engine.search.driver``): start, stop, its steps and answers so far."""
        return self.control.search

    @property
    def paused(self) -> bool:
        return self.control.user_target.paused

    def snapshot(self) -> RunSnapshot:
        return snapshots.build_snapshot(self)

    def result(self, interrupted: bool = False) -> RunResult:
        """The run so far, without verdicts (perfconsole.application evaluates them)."""
        final, stages = self.snapshot(), self.stages()
        self.sampler.note_fallback()
        return snapshots.build_result(self, interrupted, final, stages)

    def live_noise(self, window: bool) -> RunNoise | None:
        """The run so far as a live comparison's noise (``window``: the current window's requests)."""
        return None if self.hdr is None else live_noise(self.hdr.aggregator, window, time.time())

    def stages(self) -> tuple[StageStats, ...]:
        """Figures per stage of the run so far (see perfconsole.engine.hdr.stages)."""
        if self.hdr is None:
            return ()
        return self.control.rate.with_stage_figures(
            self.hdr.aggregator.stages.stats(time.time(), self.elapsed_s)
        )
