"""A spike drill in a live run: jump to the drill's users for its duration, back to the level (or the shape)
before, then judge the recovery (``perfconsole.verdicts.drills``) once enough of the run has been seen."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gevent

from perfconsole.config import SpikeDrill
from perfconsole.verdicts.drills import assess_recovery

if TYPE_CHECKING:
    from perfconsole.engine.control import RunControl

OBSERVE_AFTER_S = 60.0
"""How long after the drill its recovery is watched at most."""


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
    session._spike = (start, end, end + OBSERVE_AFTER_S)


def check_verdict(session: RunControl) -> None:
    """After a drill, the recovery verdict once it can be given (annotated, kept as ``spike_verdict``)."""
    if session._spike is None or session.spike_verdict is not None:
        return
    start, end, observe_until = session._spike
    verdict = assess_recovery(session._history.points, start, end, session.elapsed_s, observe_until - end)
    if verdict is not None:
        session.spike_verdict = verdict
        session.annotate(f"drill verdict: {verdict.text}", kind="drill")
