"""Why a run ended: its clock, its load shape, the locustfile, its workers, the operator or a signal.

Pure data, kept with the run's result (summary, status line, saved files) so that verdicts can tell a run
that reached its planned end from one cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EndKind(StrEnum):
    DURATION = "duration"
    """The planned duration ran out (``-t``, the load profile's duration)."""
    SHAPE = "shape"
    """The load shape's ``tick()`` returned None (its planned end)."""
    SHAPE_ERROR = "shape_error"
    """The load shape's ``tick()`` raised: the run ended on the error, a failed run."""
    LOCUSTFILE = "locustfile"
    """The locustfile ended it: ``runner.quit()`` / ``runner.stop()`` from a hook or greenlet, StopTest."""
    WORKERS = "workers"
    """Every worker stopped by itself (iteration limits, a worker-side quit)."""
    OPERATOR = "operator"
    """Stopped from the console."""
    SEARCH = "search"
    """A capacity search (``--find-capacity``) reached its answer."""
    INTERRUPTED = "interrupted"
    """A signal, or the console left, while users ran."""

    @classmethod
    def parse(cls, value: object) -> EndKind | None:
        try:
            return cls(value) if isinstance(value, str) else None
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class RunEnd:
    kind: EndKind
    reason: str
    """One line for the operator, e.g. ``shape StepLoad ended`` or ``shape raised ValueError: ...``."""

    @property
    def failed(self) -> bool:
        """The run ended on an error (its exit code is a failure whatever the thresholds say)."""
        return self.kind is EndKind.SHAPE_ERROR

    @property
    def complete(self) -> bool:
        """The run ended as planned by its clock, shape, locustfile or workers (not cut short)."""
        return self.kind not in (EndKind.INTERRUPTED, EndKind.SHAPE_ERROR)
