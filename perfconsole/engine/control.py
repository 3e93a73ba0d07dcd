"""Runner control: start, live controls (users, profile, pause/resume, spike drill), stop and settle, the
shapes a run follows and its deadline. Control methods return at once: Locust's calls run in greenlets."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import gevent
from locust.runners import MasterRunner

from perfconsole.config import Profile, Settings, SpikeDrill
from perfconsole.engine import spike_drill
from perfconsole.engine.events import warn_common_options
from perfconsole.engine.locust import runner as locust_runner
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session_core import SessionCore, shape_duration, shape_title
from perfconsole.engine.workers.loss import WorkerLossWatch
from perfconsole.errors import UserError
from perfconsole.model.run import RunState

if TYPE_CHECKING:
    from locust import LoadTestShape

WORKER_REPORT_INTERVAL_S = 3.0
"""How often Locust workers send their stats to the master (locust.runners.WORKER_REPORT_INTERVAL)."""


class RunControl(SessionCore):
    """The control half of a load session (``LoadSession`` adds preparation, sampling and reads)."""

    def __init__(self, plan: RunPlan, settings: Settings) -> None:
        super().__init__(plan, settings)
        self._worker_watch = WorkerLossWatch(self._announce, self._add_warning, self._respawn_after_loss)

    def start(self) -> None:
        """Start the plan: a staged profile (or the scenario's shape) or users at a spawn rate."""
        self._require_runner()
        if self.state in (RunState.STOPPED, RunState.STOPPING):
            self._reset_run_state()
        if self.monitor is not None:
            self.monitor.reset()  # resource history and peaks are per run
        self.started_at = time.time()
        self._manual = False
        self._t0 = time.monotonic()
        self._stopped_elapsed = None
        self.ended_at = 0.0
        plan, profile = self.plan, self.profile
        shape = self._shape_for_start()
        if shape is not None:
            self._start_shape(shape)
            if self.profile is None:  # the locustfile's own shape: it ends the run itself
                self.duration_s = shape_duration(shape)
                self.annotate(f"started shape: {type(shape).__name__}", kind="profile")
            else:
                self.duration_s = plan.duration_s or shape_duration(shape)
                self.annotate(f"started {profile.name if profile else 'staged profile'}", kind="profile")
        else:
            users = plan.users or (profile.users if profile else 1)
            default_rate = 1.0 if plan.users is not None else float(users)  # -u alone: Locust's 1/s
            rate = plan.spawn_rate or (profile.spawn_rate if profile else default_rate)
            self.duration_s = (
                plan.duration_s if plan.duration_s is not None else (profile.duration_s if profile else None)
            )
            self._spawn(users, rate)
            self.annotate(f"started: {users} users at {rate:g}/s", kind="users")
        self.state = RunState.SPAWNING
        if self.hdr is not None:
            self.hdr.aggregator.stages.watch(self.stage_key, lambda: (time.time(), self.elapsed_s))
        self._arm_deadline()

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        """Re-target the running test (keeps stats). Leaves any staged shape: the operator took over."""
        self._require_running()
        rate = spawn_rate if spawn_rate is not None else self._spawn_rate
        before = self._target_users
        self._leave_shape("users")
        self._paused_at = None
        self._spawn(users, rate)
        self.annotate(f"users {before} -> {users} at {rate:g}/s", kind="users")

    def apply_profile(self, profile: Profile) -> None:
        """Switch profile mid-run: a staged one starts its stages now; a flat one sets users and duration."""
        self._require_running()
        if self.profile is not None and profile.mix != self.profile.mix:
            self.annotate(f"{profile.name}: user-class mix kept as started (set when the run is prepared)")
        self.profile = profile
        self._paused_at = None
        self._manual = False
        self._leave_shape()
        if profile.staged:
            from perfconsole.engine.shapes import StagedShape

            shape = StagedShape.from_profile(profile)
            self._start_shape(shape)
            total = shape_duration(shape)
            self.duration_s = self.elapsed_s + total if total is not None else None
        else:
            self._spawn(profile.users, profile.spawn_rate)
            self.duration_s = self.elapsed_s + profile.duration_s if profile.duration_s is not None else None
        self._arm_deadline()
        self.annotate(f"profile -> {profile.name}", kind="profile")

    def pause(self) -> None:
        """Drop to 0 users, remembering the level to resume to."""
        self._require_running()
        if self._paused_at is not None:
            return
        self._leave_shape("pause")
        self._paused_at = (self._target_users, self._spawn_rate)
        self._spawn(0, max(self._spawn_rate, float(self._target_users) or 1.0))
        self.annotate("paused (0 users)", kind="users")

    def resume(self) -> None:
        self._require_running()
        if self._paused_at is None:
            return
        users, rate = self._paused_at
        self._paused_at = None
        self._spawn(users, rate)
        self.annotate(f"resumed: {users} users at {rate:g}/s", kind="users")

    def fire_spike(self, drill: SpikeDrill | None = None) -> None:
        """Jump to the drill's users for its duration, then back to the level before; annotated."""
        self._require_running()
        if self._spike_greenlet is not None and not self._spike_greenlet.dead:
            raise UserError("a spike drill is already running")
        drill = drill or self.settings.spike
        self.spike_verdict = None
        self._spike_greenlet = gevent.spawn(run_spike, self, drill)

    def stop(self) -> None:
        """Stop all users; the workers stay connected so the run can be started again."""
        self._require_runner()
        if not self.state.is_live:
            return
        self._kill_control_greenlets()
        self._mark_stopped("stopped by operator")
        self._spawn_stop()

    def settle(self, timeout_s: float = 10.0) -> None:
        """Blocking: after a stop, wait until users are stopped and the workers' last stats have arrived
        (they report every 3 s), so a snapshot taken next holds every request of the run."""
        runner = self._require_runner()
        deadline = time.monotonic() + timeout_s
        while runner.user_count and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if isinstance(runner, MasterRunner):
            gevent.sleep(min(WORKER_REPORT_INTERVAL_S + 0.5, max(0.0, deadline - time.monotonic())))
        self._record_sample()

    def scenario_shape(self) -> LoadTestShape | None:
        """The locustfile's shape this plan runs (``use_scenario_shape``), or None."""
        if not self.plan.use_scenario_shape or self.scenario is None or not self.scenario.shapes:
            return None
        if self.plan.shape_name is None:
            return self.scenario.shapes[0]
        for shape in self.scenario.shapes:
            if type(shape).__name__ == self.plan.shape_name:
                return shape
        known = ", ".join(type(s).__name__ for s in self.scenario.shapes)
        raise UserError(f"unknown shape class {self.plan.shape_name!r} (known: {known})")

    # ----------------------------------------------------------------------------- internals
    def _spawn_stop(self) -> None:
        self._stop_greenlet = gevent.spawn(self._require_runner().stop)
        self._greenlets.append(self._stop_greenlet)

    def _reset_run_state(self) -> None:
        self._history.clear()
        self._annotations.clear()
        self._worker_watch.reset()
        self._warnings.clear()
        self.spike_verdict = None
        self._spike = None
        self._paused_at = None
        self._max_target = 0
        if self.hdr is not None:
            self.hdr.reset()

    def _spawn(self, users: int, rate: float) -> None:
        runner = self._require_runner()
        if self._start_greenlet is not None and not self._start_greenlet.dead:
            self._start_greenlet.kill(block=False)
        self._target_users = users
        self._spawn_rate = rate
        self._max_target = max(self._max_target, users)
        self._start_greenlet = gevent.spawn(runner.start, users, rate)

    def _shape_for_start(self) -> LoadTestShape | None:
        plan, profile = self.plan, self.profile
        own = self.scenario_shape()
        if own is not None:  # as in Locust: the locustfile's shape runs, -u/-r/-t get a warning
            self.profile = None
            warn_common_options(own, users=plan.users, spawn_rate=plan.spawn_rate, run_time=plan.duration_s)
            return own
        if plan.users is not None:
            return None
        if profile is not None and profile.staged:
            from perfconsole.engine.shapes import StagedShape

            return StagedShape.from_profile(profile)
        return None

    def _start_shape(self, shape: LoadTestShape, reset_clock: bool = True) -> None:
        runner = self._require_runner()
        assert self.env is not None
        locust_runner.follow_shape(self.env, runner, shape, reset_clock)

    def _leave_shape(self, control: str | None = None) -> None:
        """Stop following the shape; with ``control`` (the operator's action) the run is manual from now
        on, which the annotations and the stage label ("manual") say."""
        runner = self.runner
        if runner is None or self.env is None or self.env.shape_class is None:
            return
        if control is not None:
            shape = f"{shape_title(self.env.shape_class)} ({self._stage_label()})"
            self.annotate(f"left shape {shape}: manual control by {control}", kind="profile")
            self._manual = True
        locust_runner.drop_shape(self.env, runner)
        self._target_users = runner.target_user_count or self._target_users

    def _arm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.kill(block=False)
            self._deadline = None
        if self.duration_s:
            self._deadline = gevent.spawn(self._deadline_loop)

    def _deadline_loop(self) -> None:
        while self.duration_s and self.elapsed_s < self.duration_s:
            gevent.sleep(min(0.5, max(0.05, self.duration_s - self.elapsed_s)))
        self._deadline = None
        if self.state.is_live:
            self._mark_stopped("duration reached")
            self._spawn_stop()

    def _kill_control_greenlets(self) -> None:
        for glet in (self._deadline, self._spike_greenlet, self._start_greenlet):
            if glet is not None and glet is not gevent.getcurrent():
                glet.kill(block=False)
        self._deadline = self._spike_greenlet = self._start_greenlet = None

    def _mark_stopped(self, why: str) -> None:
        self._record_sample()
        self.annotate(why, kind="users")
        self._stopped_elapsed = self.elapsed_s
        self.ended_at = time.time()
        self.state = RunState.STOPPED

    def _respawn_after_loss(self) -> None:
        """The target users again over the remaining workers (Locust's own rebalancing call)."""
        runner = self._require_runner()
        if self.env is not None and self.env.shape_class is not None:
            rate = float(getattr(runner, "spawn_rate", 0) or self._spawn_rate)
            self._greenlets.append(gevent.spawn(runner.start, runner.target_user_count, rate))
        else:
            self._spawn(self._target_users, self._spawn_rate)


def run_spike(session: RunControl, drill: SpikeDrill) -> None:
    """The drill itself (in its own greenlet): annotated at start and end; the verdict window is set last."""
    before_users, before_rate = session._target_users, session._spawn_rate
    shape = session.env.shape_class if session.env else None
    start = session.elapsed_s
    session.annotate(
        f"spike drill: {before_users} -> {drill.users} users at {drill.spawn_rate:g}/s for "
        f"{drill.duration_s:g}s",
        kind="drill",
    )
    session._leave_shape()
    session._spawn(drill.users, drill.spawn_rate)
    gevent.sleep(drill.duration_s)
    if not session.state.is_live:
        return
    end = session.elapsed_s
    if shape is not None:
        session._start_shape(shape, reset_clock=False)  # the staged profile goes on by its own clock
    else:
        session._spawn(before_users, max(before_rate, drill.spawn_rate))
    session.annotate(f"spike drill over: back to {before_users} users", kind="drill")
    session._spike = (start, end, end + spike_drill.OBSERVE_AFTER_S)
