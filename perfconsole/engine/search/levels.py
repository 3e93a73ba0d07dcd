"""Setting a search's level on the live run (the arrival-rate dial, or the user target), and the load the run
had before the search, put back when the search is stopped part-way."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from perfconsole.model.capacity import SearchMode

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession

POOL_PER_RATE = 2.0
"""Rate mode: the pool's ceiling is raised to at least this many users per iteration/s of the level."""
SPAWN_RATE_PER_WORKER = 100.0


def apply_level(session: LoadSession, mode: SearchMode, level: float) -> None:
    """``level`` iterations/s (the open model from now on) or users (the closed model)."""
    dial = session.arrival
    if mode is SearchMode.RATE:
        dial.set_rate(level)
        controller = dial.controller
        own_ceiling = session.plan.arrival is not None and session.plan.arrival.max_users is not None
        if controller is not None and not own_ceiling:
            wanted = math.ceil(level * POOL_PER_RATE) + 10
            if controller.max_users < wanted:
                controller.set_max_users(wanted)
        return
    if dial.active:
        dial.leave()
    users = int(level)
    workers = max(1, session.worker_count)
    session.set_users(users, min(float(max(users, 1)), SPAWN_RATE_PER_WORKER * workers))


@dataclass(frozen=True, slots=True)
class LoadBefore:
    """The run's load when a search started: its arrival rate (None: the closed model) and its users."""

    rate: float | None
    users: int
    spawn_rate: float

    @classmethod
    def of(cls, session: LoadSession) -> LoadBefore:
        dial, target = session.arrival, session.control.user_target
        rate = dial.controller.target_rate() if dial.active and dial.controller is not None else None
        return cls(rate if rate else None, target.users, target.spawn_rate)

    @property
    def text(self) -> str:
        """``120/s`` or ``10 users``."""
        return f"{self.rate:g}/s" if self.rate is not None else f"{self.users} users"

    def restore(self, session: LoadSession) -> None:
        """Back to this load: the rate again (after a users search, over the users it had), or the closed
        model's users (the pool a rate search grew goes back to them)."""
        dial = session.arrival
        if self.rate is None:
            if dial.active:
                dial.leave()
            session.set_users(self.users, self.spawn_rate)
            return
        if not dial.active:
            session.set_users(max(1, self.users), self.spawn_rate)
        dial.set_rate(self.rate)


__all__ = ["LoadBefore", "apply_level"]
