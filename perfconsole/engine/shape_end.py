"""When a locustfile's own shape will end, as its preview says (``perfconsole.engine.shape_preview``: its
``tick()`` under a fake clock, in a child process), so the time left is shown under a shape whose end is
known rather than "until stopped". Only shown: the shape itself still ends the run."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING

import gevent

if TYPE_CHECKING:
    from locust import LoadTestShape


class ShapeEndEstimate:
    """The elapsed second at which the followed shape's ``tick()`` first returns None (None: unknown)."""

    def __init__(self) -> None:
        self.ends_at_s: float | None = None
        self._greenlet: gevent.Greenlet | None = None

    def estimate(self, shape: LoadTestShape) -> None:
        """Compute it in the background (a child process; killed with ``reset``)."""
        self.reset()
        try:
            path = Path(inspect.getfile(type(shape)))
        except (TypeError, OSError):
            return
        self._greenlet = gevent.spawn(self._compute, path, type(shape).__name__)

    def reset(self) -> None:
        """No estimate (a new run, or the shape is left): any computation in progress is stopped."""
        self.ends_at_s = None
        glet, self._greenlet = self._greenlet, None
        if glet is not None and glet is not gevent.getcurrent():
            glet.kill(block=False)

    def _compute(self, path: Path, name: str) -> None:
        from perfconsole.engine.shape_preview import compute_preview

        answer = compute_preview(path, name)
        points = answer.get("points")
        if answer.get("ends") and isinstance(points, list) and points:
            self.ends_at_s = float(points[-1][0])
