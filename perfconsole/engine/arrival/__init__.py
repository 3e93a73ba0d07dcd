"""Arrival-rate mode (the open model): iterations start at a target rate, whatever the target's latency.

- ``schedule``: pure: rate curves (constant, stages held or reached linearly) and arrival times (constant
  spacing or Poisson).
- ``cursor``: pure: the iterations due and not yet started, as a cursor on the schedule (taken by the
  next free user, dropped in bulk when stale).
- ``controller`` (master side): owns the target, splits it into shares across workers (Locust's custom
  messages), re-splits on worker join or loss, grows the pool up to ``--max-users``; counts per second.
- ``pacer`` (where users run): hands scheduled starts to idle users through the gate on Locust's
  ``TaskSet`` loop (``engine.locust.task_gate``), asks for more users, drops iterations no user could start
  in time, measures start lag.
- ``dial``: the session's collaborator (``session.control.rate``): a run started at a rate, the live dial
  (``set_rate``), the switch to a rate and back (``leave``), and the reads a console or a capacity search
  needs: ``status()`` now, ``figures(start_s, end_s)`` for any span (one level of a search), per stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perfconsole.engine.arrival.controller import ArrivalController
from perfconsole.engine.arrival.pacer import ArrivalPacer

__all__ = ["ArrivalController", "ArrivalPacer", "attach"]


def attach(
    runner: Any,
    *,
    local: bool,
    elapsed: Callable[[], float],
    grow: Callable[[int], None],
    pool_target: Callable[[], int],
    set_start_lag: Callable[[Callable[[], int | None] | None], None],
) -> ArrivalController:
    """The session's controller on ``runner``; with ``local`` (``--workers 0``) the in-process pacer too,
    its start lag wired into the histogram recorder while the mode is on."""
    controller = ArrivalController(runner, elapsed, grow, pool_target)
    if local:
        pacer = ArrivalPacer(runner, set_start_lag=set_start_lag)
        controller.local_pacer = pacer
    return controller
