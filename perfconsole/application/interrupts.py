"""SIGINT/SIGTERM/SIGHUP for headless runs and the console: the first stops gracefully, a second hurries.

Under gevent a signal handler runs in whichever greenlet is executing, often the hub, where anything that
blocks or switches raises ``BlockingSwitchOutError``. So the handler only records the signal, calls a
non-blocking ``on_first`` once, and on the second signal spawns (once) a greenlet running ``on_second``;
a third signal finds that greenlet and does nothing more.

Install it as early as possible (before ``import locust``): gevent is imported only when the second
signal spawns its greenlet, by which time the engine has imported it anyway.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupts:
    """Records shutdown signals; usable as a context manager that restores the previous handlers."""

    def __init__(self) -> None:
        self.count = 0
        self.name = ""
        """Name of the first signal (``SIGINT`` ...)."""
        self.on_first: Callable[[], None] | None = None
        """Called in the handler on the first signal: must return at once (set a flag, spawn)."""
        self.on_second: Callable[[], None] | None = None
        """Run in a greenlet of its own on the second signal; may block (cooperatively) and exit."""
        self._previous: dict[int, Any] = {}
        self._hurry: Any = None

    def install(self) -> Interrupts:
        if not self._previous:
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def __enter__(self) -> Interrupts:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.restore()

    @property
    def interrupted(self) -> bool:
        return self.count > 0

    def _handle(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.count == 1:
            self.name = signal.Signals(signum).name
            if self.on_first is not None:
                self.on_first()
            return
        self.hurry()

    def hurry(self) -> None:
        """Start ``on_second`` in its greenlet (once); safe to call from a signal handler."""
        if self._hurry is not None or self.on_second is None:
            return
        import gevent

        self._hurry = gevent.spawn(self.on_second)


def teardown_now(session: LoadSession | None) -> None:
    """Stop the session's child processes at once (SIGTERM, SIGKILL after 0.2 s) and remove their temp
    files; no waiting for workers' reports."""
    if session is None:
        return
    for stop in (
        lambda: session.local_workers.stop(timeout_s=0.2) if session.local_workers else None,
        lambda: session.demo_target.stop(timeout_s=0.2) if session.demo_target else None,
        lambda: session.monitor.close() if session.monitor else None,
    ):
        try:
            stop()
        except Exception:  # noqa: S112 - best effort on the way out; os._exit follows
            continue
