"""What a run tells: annotations on its timeline, warnings that its figures may be unreliable, progress
lines for the operator (stderr in headless runs, the message line in the console) and its lifecycle events
(started, stage changed, stopped)."""

from __future__ import annotations

import time
from collections.abc import Callable

from perfconsole.model.run import Annotation
from perfconsole.model.run_events import RunEvent
from perfconsole.model.run_warnings import RunWarning


class RunNotes:
    """A run's annotations and warnings (both per run: ``clear`` at a new start) and its listeners."""

    def __init__(self, elapsed_s: Callable[[], float]) -> None:
        self._elapsed_s = elapsed_s
        self._annotations: list[Annotation] = []
        self._warnings: list[RunWarning] = []
        self.listeners: list[Callable[[Annotation], None]] = []
        """Called with every new annotation (from the engine's greenlets)."""
        self.status_listeners: list[Callable[[str], None]] = []
        """Called with progress lines (e.g. how to start external workers)."""
        self.run_listeners: list[Callable[[RunEvent], None]] = []
        """Called with the run's lifecycle events (from the engine's greenlets)."""

    def annotate(self, text: str, kind: str = "note") -> Annotation:
        """A note at the run's elapsed time now (whitespace collapsed), told to the listeners."""
        note = Annotation(
            elapsed_s=round(self._elapsed_s(), 1),
            text=" ".join(text.split()),
            kind=kind,
            timestamp=time.time(),
        )
        self._annotations.append(note)
        for listener in list(self.listeners):
            listener(note)
        return note

    def status(self, line: str) -> None:
        for listener in list(self.status_listeners):
            listener(line)

    def tell(self, event: RunEvent) -> None:
        for listener in list(self.run_listeners):
            listener(event)

    def announce(self, line: str, kind: str) -> None:
        """Annotate and tell the operator."""
        self.annotate(line, kind=kind)
        self.status(line)

    def warn(self, warning: RunWarning) -> bool:
        """Add a warning (once); True if it is new."""
        if warning in self._warnings:
            return False
        self._warnings.append(warning)
        return True

    def clear(self) -> None:
        self._annotations.clear()
        self._warnings.clear()

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return tuple(self._annotations)

    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        return tuple(self._warnings)
