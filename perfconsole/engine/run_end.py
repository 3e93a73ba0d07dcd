"""How a run ends, seen with Locust's own signals, in every mode (in process, local or remote workers,
headless or console).

Locust ends a run by itself in several ways (locust/runners.py, locust/main.py): a shape's ``tick()``
returning None makes the runner ``quit()`` (headless) or ``stop()``; a hook or greenlet of the locustfile
calls ``runner.quit()`` / ``runner.stop()``; StopTest does the same; on a master, the last worker's ``quit``
message stops (and, headless, quits) it. ``quit()`` empties ``runner.greenlet``, the greenlet group that
``locust --headless`` waits for; ``stop()`` leaves the runner ``stopped``. :class:`RunEndWatch` reads
exactly those two signals, and a probe around the shape's ``tick()`` says whether the shape ended, or
raised (then the shape ends the run as if it had returned None, with the error as the reason: Locust
would keep the last tick's users forever).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from perfconsole.model.run_end import EndKind, RunEnd

if TYPE_CHECKING:
    from locust import LoadTestShape
    from locust.env import Environment
    from locust.runners import LocalRunner, MasterRunner

logger = logging.getLogger("locust.runners")  # where Locust logs its shape's life (and its tracebacks)


def shape_name(shape: LoadTestShape) -> str:
    name = getattr(shape, "profile_name", None)
    return f"profile {name}" if name else f"shape {type(shape).__name__}"


class TickProbe:
    """Stands in for a shape's ``tick`` method: calls the class's own and reports None or an exception."""

    def __init__(self, shape: LoadTestShape, watch: RunEndWatch) -> None:
        self.shape = shape
        self.watch = watch

    def __call__(self) -> Any:
        shape = self.shape
        try:
            result = type(shape).tick(shape)
        except Exception as exc:
            logger.error("%s: tick() raised, the run ends", shape_name(shape), exc_info=True)
            self.watch.note(RunEnd(EndKind.SHAPE_ERROR, f"{shape_name(shape)}: tick() raised {_brief(exc)}"))
            return None  # Locust ends the run as at the shape's end
        if result is None:
            self.watch.note(RunEnd(EndKind.SHAPE, f"{shape_name(shape)} ended"))
        return result


@dataclass
class RunEndWatch:
    """The reason a run ended: the first end noted wins (a shape's end before the stop it causes)."""

    end: RunEnd | None = None
    probes: list[TickProbe] = field(default_factory=list)
    workers_at_stop: int | None = None
    """Workers connected when the runner began to stop (Locust's ``test_stopping``): 0 when the last
    worker's quit stopped it."""
    _detach: Any = None

    def reset(self) -> None:
        self.end = None
        self.workers_at_stop = None

    def attach(self, env: Environment, runner: LocalRunner | MasterRunner) -> None:
        """Listen to ``test_stopping`` (fired as a master begins to stop) to tell who stopped it."""
        clients = getattr(runner, "clients", None)
        if clients is None:
            return

        def on_stopping(**_kwargs: Any) -> None:
            if self.workers_at_stop is None:
                self.workers_at_stop = len(clients)

        env.events.test_stopping.add_listener(on_stopping)
        self._detach = lambda: env.events.test_stopping.remove_listener(on_stopping)

    def note(self, end: RunEnd) -> RunEnd:
        """Record ``end`` unless an end is already known; returns the run's end."""
        if self.end is None:
            self.end = end
        return self.end

    def follow(self, shape: LoadTestShape) -> None:
        """Probe ``shape.tick`` (once per shape object) before Locust starts calling it."""
        if isinstance(vars(shape).get("tick"), TickProbe):
            return
        probe = TickProbe(shape, self)
        shape.tick = probe  # type: ignore[method-assign]
        self.probes.append(probe)

    def release(self) -> None:
        """Give every probed shape its own ``tick`` back and stop listening (the session is over)."""
        if self._detach is not None:
            self._detach()
            self._detach = None
        for probe in self.probes:
            vars(probe.shape).pop("tick", None)
        self.probes.clear()

    def locust_end(
        self, runner: LocalRunner | MasterRunner, *, workers: int, starting: bool = False
    ) -> RunEnd | None:
        """The end Locust itself made of a live run (None while it goes on): quit (``runner.greenlet``
        dead) or stopped (not while ``starting``: a start from ``stopped`` is under way); its reason is the
        shape's if the shape ended it, else whoever Locust obeyed."""
        quit_ = runner_quit(runner)
        if not quit_ and (starting or runner.state != "stopped"):
            return None
        if self.end is not None:
            return self.end
        if workers and self.workers_at_stop == 0:
            return self.note(RunEnd(EndKind.WORKERS, f"all {workers} worker(s) stopped by themselves"))
        verb = "quit" if quit_ else "stopped"
        return self.note(RunEnd(EndKind.LOCUSTFILE, f"the locustfile {verb} the runner"))


def runner_quit(runner: LocalRunner | MasterRunner) -> bool:
    """``runner.quit()`` has run: it emptied the greenlet group ``locust --headless`` joins (Locust never
    starts such a runner again)."""
    return len(runner.greenlet) == 0


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:199] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
