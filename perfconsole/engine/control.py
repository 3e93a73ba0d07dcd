"""A session's live controls: starting the plan, the users asked for, a profile switched mid-run, pause and
resume, the spike drill. Each verb returns at once (Locust's calls run in greenlets) and is annotated.

``RunControl`` owns the collaborators the controls move (``user_target``, ``shapes``, ``drills``,
``deadline``, ``rate``: the arrival-rate dial, ``search``: the capacity search) and reaches the session
only through its public surface. A new control is a collaborator of its own beside these, not more state on
the session.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from locust.runners import LocalRunner, MasterRunner

from perfconsole.engine.arrival.dial import ArrivalDial
from perfconsole.engine.arrival.plan import ArrivalPlan
from perfconsole.engine.clock import RunDeadline
from perfconsole.engine.events import warn_common_options
from perfconsole.engine.hdr.stages import StageKey, stage_key
from perfconsole.engine.run_end import runner_quit
from perfconsole.engine.search.driver import CapacitySearch
from perfconsole.engine.shape_end import ShapeEndEstimate
from perfconsole.engine.shape_follower import ShapeFollower, shape_duration
from perfconsole.engine.spike_drill import SpikeDrills
from perfconsole.engine.user_target import UserTarget
from perfconsole.errors import UserError
from perfconsole.model.run import RunState
from perfconsole.model.run_end import EndKind, RunEnd

if TYPE_CHECKING:
    from locust import LoadTestShape
    from locust.env import Environment

    from perfconsole.config import Profile, SpikeDrill
    from perfconsole.engine.hdr.hooks import HdrStats
    from perfconsole.engine.session import LoadSession


class RunControl:
    """The live controls of one session."""

    def __init__(self, session: LoadSession) -> None:
        self._session = session
        self.user_target = UserTarget(session.require_runner)
        self.shapes = ShapeFollower(
            lambda text, kind: session.annotate(text, kind=kind), before_follow=session.run_end.follow
        )
        self.drills = SpikeDrills(
            self.user_target, self.shapes, session.notes, session.clock, lambda: session.state.is_live
        )
        self.deadline = RunDeadline(session.clock, self._deadline_reached)
        self.rate = ArrivalDial(session, self.user_target, self.leave_shape, self.deadline)
        self.shape_end = ShapeEndEstimate()
        self.search = CapacitySearch(session, self)

    # ----------------------------------------------------------------------------- verbs
    def start(self) -> None:
        session = self._session
        if runner_quit(session.require_runner()):
            raise UserError(
                "Locust's runner has quit (runner.quit() ended the last run): open a new run to start"
            )
        if session.state in (RunState.STOPPED, RunState.STOPPING):
            session.reset_run()
        if session.monitor is not None:
            session.monitor.reset()  # resource history and peaks are per run
        self.shapes.manual = False
        session.run_end.reset()
        session.clock.start()
        plan, profile = session.plan, session.profile
        shape = self._shape_for_start() if plan.arrival is None else None
        if plan.arrival is not None:
            duration = self.rate.start_run(plan.arrival)
        elif shape is not None:
            self.shapes.follow(shape)
            if session.profile is None:  # the locustfile's own shape: it ends the run itself
                duration = shape_duration(shape)
                if duration is None:
                    self.shape_end.estimate(shape)
                session.annotate(f"started shape: {type(shape).__name__}", kind="profile")
            else:
                duration = plan.duration_s or shape_duration(shape)
                session.annotate(f"started {profile.name if profile else 'staged profile'}", kind="profile")
        else:
            users = plan.users or (profile.users if profile else 1)
            default_rate = 1.0 if plan.users is not None else float(users)  # -u alone: Locust's 1/s
            rate = plan.spawn_rate or (profile.spawn_rate if profile else default_rate)
            duration = (
                plan.duration_s if plan.duration_s is not None else (profile.duration_s if profile else None)
            )
            self.user_target.spawn(users, rate)
            session.annotate(f"started: {users} users at {rate:g}/s", kind="users")
        session.state = RunState.SPAWNING
        if session.hdr is not None:
            session.hdr.aggregator.stages.watch(self.stage_key, lambda: (time.time(), session.elapsed_s))
        self.deadline.arm(duration)

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        self._session.require_running()
        target = self.user_target
        rate = spawn_rate if spawn_rate is not None else target.spawn_rate
        before = target.users
        self.leave_shape("users")
        target.forget_pause()
        target.spawn(users, rate)
        self._session.annotate(f"users {before} -> {users} at {rate:g}/s", kind="users")

    def apply_profile(self, profile: Profile) -> None:
        session = self._session
        session.require_running()
        if session.profile is not None and profile.mix != session.profile.mix:
            session.annotate(f"{profile.name}: user-class mix kept as started (set when the run is prepared)")
        session.profile = profile
        self.user_target.forget_pause()
        self.shapes.manual = False
        self.leave_shape()
        if profile.arrival is None and self.rate.active:
            self.rate.leave()  # a users profile: the users' own loop again
        if profile.arrival is not None:
            self.user_target.spawn(max(profile.users, self.user_target.users), profile.spawn_rate)
            self.rate.switch_to(ArrivalPlan.of(profile.arrival), max(1, self.user_target.users))
            duration = session.elapsed_s + profile.duration_s if profile.duration_s is not None else None
        elif profile.staged:
            from perfconsole.engine.shapes import StagedShape

            shape = StagedShape.from_profile(profile)
            self.shapes.follow(shape)
            total = shape_duration(shape)
            duration = session.elapsed_s + total if total is not None else None
        else:
            self.user_target.spawn(profile.users, profile.spawn_rate)
            duration = session.elapsed_s + profile.duration_s if profile.duration_s is not None else None
        self.deadline.arm(duration)
        session.annotate(f"profile -> {profile.name}", kind="profile")

    def pause(self) -> None:
        self._session.require_running()
        if self.user_target.paused:
            return
        self.leave_shape("pause")
        self.user_target.pause()
        self._session.annotate("paused (0 users)", kind="users")

    def resume(self) -> None:
        self._session.require_running()
        level = self.user_target.resume()
        if level is not None:
            users, rate = level
            self._session.annotate(f"resumed: {users} users at {rate:g}/s", kind="users")

    def fire_spike(self, drill: SpikeDrill | None = None) -> None:
        self._session.require_running()
        self.drills.fire(drill or self._session.settings.spike)

    # ----------------------------------------------------------------------------- for the session
    def scenario_shape(self) -> LoadTestShape | None:
        """The locustfile's shape this plan runs (``use_scenario_shape``), or None."""
        plan, scenario = self._session.plan, self._session.scenario
        if not plan.use_scenario_shape or scenario is None or not scenario.shapes:
            return None
        if plan.shape_name is None:
            return scenario.shapes[0]
        for shape in scenario.shapes:
            if type(shape).__name__ == plan.shape_name:
                return shape
        known = ", ".join(type(s).__name__ for s in scenario.shapes)
        raise UserError(f"unknown shape class {plan.shape_name!r} (known: {known})")

    def leave_shape(self, control: str | None = None) -> None:
        """Stop following the shape (its users become the target); with ``control``, the run is manual."""
        users = self.shapes.leave(control)
        self.shape_end.reset()
        if users:
            self.user_target.follow(users)

    def attach(self, env: Environment, runner: LocalRunner | MasterRunner, hdr: HdrStats) -> None:
        """At prepare: the collaborators that drive Locust's runner get it."""
        self.shapes.attach(env, runner)
        self.rate.attach(runner, isinstance(runner, LocalRunner), hdr)

    def stage_key(self) -> StageKey | None:
        """The stage the run is in now (for the figures per stage)."""
        return stage_key(
            live=self._session.state.is_live and not self.rate.pending,  # a rate run's pool spawning: none
            search_stage=self.search.stage_key(),
            users=self.user_target.users,
            drill_running=self.drills.running,
            after_drill=self.drills.awaiting_verdict,
            shape_label=self.shapes.stage_key_label(),
            rate_label=self.rate.stage_label(),
        )

    def reset(self) -> None:
        """A new run: no drill verdict, pause or highest target carried over."""
        self.search.reset()
        self.drills.reset()
        self.user_target.reset()
        self.rate.reset()
        self.shape_end.reset()

    def kill_greenlets(self) -> None:
        """The run is over: no deadline, drill, search or spawn goes on."""
        self.search.stop("the run was stopped", run_ends=True)
        self.deadline.cancel()
        self.shape_end.reset()
        self.drills.kill()
        self.user_target.kill()

    def respawn_after_loss(self) -> None:
        """The target users again over the remaining workers (Locust's own rebalancing call)."""
        runner = self._session.require_runner()
        target = self.user_target
        if self.shapes.shape is not None:
            rate = float(getattr(runner, "spawn_rate", 0) or target.spawn_rate)
            self._session.spawn_tracked(runner.start, runner.target_user_count, rate)
        else:
            target.spawn(target.users, target.spawn_rate)

    # ----------------------------------------------------------------------------- internals
    def _shape_for_start(self) -> LoadTestShape | None:
        session = self._session
        plan, profile = session.plan, session.profile
        own = self.scenario_shape()
        if own is not None:  # as in Locust: the locustfile's shape runs, -u/-r/-t get a warning
            session.profile = None
            warn_common_options(own, users=plan.users, spawn_rate=plan.spawn_rate, run_time=plan.duration_s)
            return own
        if plan.users is not None:
            return None
        if profile is not None and profile.staged:
            from perfconsole.engine.shapes import StagedShape

            return StagedShape.from_profile(profile)
        return None

    def _deadline_reached(self) -> None:
        if self._session.state.is_live:
            self._session.end_run(RunEnd(EndKind.DURATION, "duration reached"))
