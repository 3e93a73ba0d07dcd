"""The greenlets a session started: every one killed when the session closes, and Locust's stop awaited
before a quit so that a quit never stops the same users a second time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gevent

__all__ = ["SessionGreenlets"]


class SessionGreenlets:
    """Greenlets owned by one session; the stop greenlet is the one running ``runner.stop``."""

    def __init__(self) -> None:
        self._all: list[gevent.Greenlet] = []
        self._stop: gevent.Greenlet | None = None

    def spawn(self, fn: Callable[..., Any], *args: Any) -> gevent.Greenlet:
        glet = gevent.spawn(fn, *args)
        self._all.append(glet)
        return glet

    def spawn_stop(self, stop: Callable[[], Any]) -> None:
        """Run Locust's ``runner.stop`` in a greenlet that ``join_stop`` waits for."""
        self._stop = self.spawn(stop)

    def join_stop(self, timeout_s: float) -> None:
        """Let a stop in progress end (users finishing within --stop-timeout, then ``test_stop``)."""
        glet = self._stop
        if glet is not None and not glet.dead and glet is not gevent.getcurrent():
            glet.join(timeout=timeout_s)

    def kill_all(self) -> None:
        for glet in self._all:
            glet.kill(block=False)
