"""The session's arrival-rate control (a collaborator of ``RunControl``): a run started at a rate, the live
dial (``set_rate``), the switch from a closed-model run to a rate and back (``leave``), and the reads a
console or a capacity search needs (``status`` now, ``figures`` over any span of the run, per stage).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import gevent

from perfconsole.engine.arrival import attach
from perfconsole.engine.arrival.controller import ArrivalController
from perfconsole.engine.arrival.plan import DEFAULT_POOL, ArrivalPlan
from perfconsole.errors import UserError
from perfconsole.model.arrival import ArrivalFigures, ArrivalRun, ArrivalStatus
from perfconsole.model.stages import StageStats

if TYPE_CHECKING:
    from perfconsole.engine.clock import RunDeadline
    from perfconsole.engine.hdr.hooks import HdrStats
    from perfconsole.engine.session import LoadSession
    from perfconsole.engine.user_target import UserTarget

WAIT_TIME_NOTE = "arrival-rate mode: the schedule starts each iteration; the users' wait_time is not used"
POOL_WAIT_S = 5.0
"""Longest wait for the initial pool beyond its spawn time before the schedule starts anyway."""
GROW_SPAWN_RATE_PER_WORKER = 100.0
"""Users per second per worker when the pool grows (Locust warns above 100 a worker)."""


class ArrivalDial:
    """Arrival-rate mode of one session; inactive until a run starts at a rate or the operator dials one."""

    def __init__(
        self,
        session: LoadSession,
        user_target: UserTarget,
        leave_shape: Callable[[str], None],
        deadline: RunDeadline,
    ) -> None:
        self._session = session
        self._users = user_target
        self._leave_shape = leave_shape
        self._deadline = deadline
        self.controller: ArrivalController | None = None
        self._said_wait_time = False
        self.pending = False
        """A run planned at a rate whose initial pool is still spawning: no stage yet, no requests."""

    def attach(self, runner: object, local: bool, hdr: HdrStats) -> None:
        """At prepare: the master's controller (and with ``--workers 0`` the in-process pacer)."""
        self.controller = attach(
            runner,
            local=local,
            elapsed=lambda: self._session.elapsed_s,
            grow=self._grow,
            pool_target=lambda: self._users.users,
            set_start_lag=hdr.set_start_lag,
        )

    # --------------------------------------------------------------------------- verbs
    def start_run(self, arrival: ArrivalPlan) -> float | None:
        """A run planned at a rate: the initial pool first (pre-allocated, as k6 does: its users wait at the
        gate and send nothing), then the schedule and its stages for the run's duration (the deadline moves
        by the pool's spawn time); the rate is the run's first stage. Returns the planned duration (None:
        until stopped)."""
        session = self._session
        plan, profile = session.plan, session.profile
        pool = plan.users or (profile.users if profile else DEFAULT_POOL)
        fast = GROW_SPAWN_RATE_PER_WORKER * max(1, session.worker_count)
        rate = plan.spawn_rate or (profile.spawn_rate if profile else min(float(pool), fast))
        if self.controller is None:
            raise UserError("the session is not prepared")
        self.controller.hold()  # the pool's users wait for the schedule: the run's first stage is the rate
        self.pending = True
        self._users.spawn(pool, rate)
        session.spawn_tracked(self._enter_when_spawned, arrival, pool, pool / rate + POOL_WAIT_S)
        if plan.duration_s is not None:
            return plan.duration_s
        return arrival.duration_s or (profile.duration_s if profile else None)

    def set_rate(self, rate: float) -> None:
        """The live dial: ``rate`` iterations/s from now on. A closed-model run switches to the open model
        (its users are the initial pool); a staged rate is left for this constant."""
        controller = self._require()
        if not rate > 0:
            raise UserError(f"the arrival rate must be above 0, got {rate:g}")
        if not controller.active:
            self._leave_shape("rate")
            pool = max(1, self._users.users)
            if not self._users.users:
                self._users.spawn(pool, max(self._users.spawn_rate, 1.0))
            self._users.forget_pause()
            self._enter(ArrivalPlan(rate=rate), pool)
            return
        before = controller.target_rate()
        controller.set_rate(rate)
        self._session.annotate(f"arrival rate {before:g} -> {rate:g}/s", kind="rate")

    def switch_to(self, arrival: ArrivalPlan, pool: int) -> None:
        """A rate profile picked mid-run: its rate (or stages, from now) replaces the target."""
        self._require()
        self._enter(arrival, pool)

    def leave(self) -> None:
        """Back to the closed model: the pool's users run their own loop (``wait_time``) again."""
        controller = self._require()
        if controller.active:
            controller.leave()
            self._session.annotate(
                f"arrival rate off: {self._users.users} users on their own wait_time", kind="rate"
            )

    def end(self) -> None:
        """The run is over: no more targets nor growth."""
        self.pending = False
        if self.controller is not None:
            self.controller.end()

    def reset(self) -> None:
        self.pending = False
        if self.controller is not None:
            self.controller.reset()

    def close(self) -> None:
        if self.controller is not None:
            self.controller.close()

    # --------------------------------------------------------------------------- reads
    @property
    def active(self) -> bool:
        return self.controller is not None and self.controller.active

    def status(self) -> ArrivalStatus | None:
        """Target now, achieved/dropped per second and start lag p95 of the last 5 s, the pool (None: the
        mode is off)."""
        return self.controller.status() if self.active and self.controller is not None else None

    def figures(self, start_s: float, end_s: float) -> ArrivalFigures | None:
        """Target and counts between two run times (e.g. one level of a search)."""
        return self.controller.figures(start_s, end_s) if self.controller is not None else None

    def stage_label(self) -> str | None:
        return self.controller.stage_label() if self.controller is not None else None

    def with_stage_figures(self, stages: Sequence[StageStats]) -> tuple[StageStats, ...]:
        return self.controller.with_stage_figures(stages) if self.controller is not None else tuple(stages)

    def run_figures(self) -> ArrivalRun | None:
        if self.controller is None:
            return None
        return self.controller.run_figures(self._session.elapsed_s, self._users.max_users)

    # --------------------------------------------------------------------------- internals
    def _require(self) -> ArrivalController:
        self._session.require_running()
        if self.controller is None:
            raise UserError("the session is not prepared")
        return self.controller

    def _enter_when_spawned(self, arrival: ArrivalPlan, pool: int, timeout_s: float) -> None:
        runner = self._session.require_runner()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and runner.state != "running" and runner.user_count < pool:
            gevent.sleep(0.05)
        if self._session.state.is_live:
            spawned_s = self._session.elapsed_s  # the pool's spawn time comes before the planned duration
            self._enter(arrival, pool, start_s=spawned_s)
            if self._deadline.duration_s:
                self._deadline.arm(self._deadline.duration_s + spawned_s)

    def _enter(self, arrival: ArrivalPlan, pool: int, start_s: float | None = None) -> None:
        controller = self.controller
        assert controller is not None
        self.pending = False
        controller.start(arrival, pool, start_s)
        what = (
            f"{len(arrival.stages)} rate stages" if arrival.stages else f"{arrival.rate or 0:g} iterations/s"
        )
        self._session.annotate(
            f"arrival rate: {what} on {pool} users (max {controller.max_users})", kind="rate"
        )
        if not self._said_wait_time:
            self._said_wait_time = True
            self._session.notes.status(WAIT_TIME_NOTE)

    def _grow(self, total: int) -> None:
        """A pacer had no idle user: the pool grows (Locust's dispatch), fast, up to the ceiling."""
        if not self._session.state.is_live or self._users.paused:
            return
        workers = max(1, self._session.worker_count)
        self._users.spawn(total, max(self._users.spawn_rate, GROW_SPAWN_RATE_PER_WORKER * workers))
