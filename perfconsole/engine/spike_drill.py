"""The spike drill: jump to the drill's users for its duration, then back to the level before, and judge the
recovery (``perfconsole.verdicts.drills``) once enough of the run has been seen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import gevent

from perfconsole.errors import UserError
from perfconsole.verdicts.drills import RecoveryVerdict, assess_recovery

if TYPE_CHECKING:
    from perfconsole.config import SpikeDrill
    from perfconsole.engine.clock import RunClock
    from perfconsole.engine.notes import RunNotes
    from perfconsole.engine.shape_follower import ShapeFollower
    from perfconsole.engine.user_target import UserTarget
    from perfconsole.model.run import HistoryPoint

OBSERVE_AFTER_S = 60.0
"""How long after the drill its recovery is watched at most."""


class SpikeDrills:
    """One drill at a time, in its own greenlet, and the verdict on the latest one."""

    def __init__(
        self,
        target: UserTarget,
        shapes: ShapeFollower,
        notes: RunNotes,
        clock: RunClock,
        live: Callable[[], bool],
    ) -> None:
        self._target, self._shapes, self._notes, self._clock, self._live = target, shapes, notes, clock, live
        self.verdict: RecoveryVerdict | None = None
        """The latest drill's recovery verdict, once given."""
        self._window: tuple[float, float, float] | None = None  # start, end, observe-until (elapsed s)
        self._greenlet: gevent.Greenlet | None = None

    @property
    def running(self) -> bool:
        return self._greenlet is not None and not self._greenlet.dead

    @property
    def awaiting_verdict(self) -> bool:
        """A drill is over and its recovery not judged yet."""
        return self._window is not None and self.verdict is None

    def fire(self, drill: SpikeDrill) -> None:
        if self.running:
            raise UserError("a spike drill is already running")
        self.verdict = None
        self._greenlet = gevent.spawn(self._run, drill)

    def _run(self, drill: SpikeDrill) -> None:
        """The drill itself: annotated at start and end; the verdict window is set last."""
        target, shapes, clock = self._target, self._shapes, self._clock
        before_users, before_rate = target.users, target.spawn_rate
        shape = shapes.shape
        start = clock.elapsed_s
        self._notes.annotate(
            f"spike drill: {before_users} -> {drill.users} users at {drill.spawn_rate:g}/s for "
            f"{drill.duration_s:g}s",
            kind="drill",
        )
        left_at = shapes.leave()
        if left_at:
            target.follow(left_at)
        target.spawn(drill.users, drill.spawn_rate)
        gevent.sleep(drill.duration_s)
        if not self._live():
            return
        end = clock.elapsed_s
        if shape is not None:
            shapes.follow(shape, reset_clock=False)  # the staged profile goes on by its own clock
        else:
            target.spawn(before_users, max(before_rate, drill.spawn_rate))
        self._notes.annotate(f"spike drill over: back to {before_users} users", kind="drill")
        self._window = (start, end, end + OBSERVE_AFTER_S)

    def check(self, points: list[HistoryPoint] | tuple[HistoryPoint, ...]) -> None:
        """After a drill, the recovery verdict once it can be given (annotated, kept as ``verdict``)."""
        if self._window is None or self.verdict is not None:
            return
        start, end, observe_until = self._window
        verdict = assess_recovery(points, start, end, self._clock.elapsed_s, observe_until - end)
        if verdict is not None:
            self.verdict = verdict
            self._notes.annotate(f"drill verdict: {verdict.text}", kind="drill")

    def kill(self) -> None:
        glet, self._greenlet = self._greenlet, None
        if glet is not None and glet is not gevent.getcurrent():
            glet.kill(block=False)

    def reset(self) -> None:
        """A new run: no verdict, no drill to judge."""
        self.verdict = None
        self._window = None
