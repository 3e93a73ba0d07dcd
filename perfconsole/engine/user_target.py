"""The users a run is asked for (by the plan, the operator or a drill) and the greenlet that asks Locust."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import gevent


class Runner(Protocol):
    """What this module calls of Locust's LocalRunner/MasterRunner."""

    def start(self, user_count: int, spawn_rate: float) -> None: ...


class UserTarget:
    """Target users and spawn rate, the run's highest target, the level a pause resumes to, and the greenlet
    running Locust's ``runner.start`` for the latest target (a new target replaces it: returns at once)."""

    def __init__(self, runner: Callable[[], Runner]) -> None:
        self.users = 0
        self.spawn_rate = 1.0
        self.max_users = 0
        """The highest target of the run (saved as its ``users`` setting)."""
        self._runner = runner
        self._paused_at: tuple[int, float] | None = None
        self._greenlet: gevent.Greenlet | None = None

    def spawn(self, users: int, rate: float) -> None:
        """Ask the runner for ``users`` at ``rate``/s (Locust's call in a greenlet of its own)."""
        runner = self._runner()
        self.kill()
        self.users = users
        self.spawn_rate = rate
        self.max_users = max(self.max_users, users)
        self._greenlet = gevent.spawn(runner.start, users, rate)

    def follow(self, users: int) -> None:
        """Take the users something else asked for (a shape the run leaves) as the target."""
        self.users = users

    @property
    def spawning(self) -> bool:
        """Locust's ``start`` for the latest target still runs."""
        return self._greenlet is not None and not self._greenlet.dead

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> bool:
        """Drop to 0 users, remembering the level to resume to; False if paused already."""
        if self._paused_at is not None:
            return False
        self._paused_at = (self.users, self.spawn_rate)
        self.spawn(0, max(self.spawn_rate, float(self.users) or 1.0))
        return True

    def resume(self) -> tuple[int, float] | None:
        """Back to the level before the pause; that level, or None if not paused."""
        level, self._paused_at = self._paused_at, None
        if level is not None:
            self.spawn(*level)
        return level

    def forget_pause(self) -> None:
        """A new target replaces the pause (nothing to resume to)."""
        self._paused_at = None

    def reset(self) -> None:
        """A new run: no pause, no highest target yet."""
        self._paused_at = None
        self.max_users = 0

    def kill(self) -> None:
        """Stop asking (Locust's ``start`` greenlet killed, unless it is the caller)."""
        glet, self._greenlet = self._greenlet, None
        if glet is not None and not glet.dead and glet is not gevent.getcurrent():
            glet.kill(block=False)
