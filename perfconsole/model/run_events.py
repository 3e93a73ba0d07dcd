"""What the engine tells a front end about a run's life: it started, its stage changed, it stopped.

Plain data, handed to ``RunNotes.run_listeners`` from the engine's greenlets; the console carries each one
to its event loop (``perfconsole.tui.run_events``) and saves a run in one place, on ``RunStopped``.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.model.run_end import RunEnd


@dataclass(frozen=True, slots=True)
class RunStarted:
    """Users were asked for: a new run (its history, notes and stages start empty)."""

    started_at: float
    """Unix time of the start."""


@dataclass(frozen=True, slots=True)
class StageChanged:
    """The run entered a stage (figures per stage start a new row)."""

    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class RunStopped:
    """The run is over (users stopping): ``end`` says why (its clock, a shape, the operator ...)."""

    end: RunEnd


RunEvent = RunStarted | StageChanged | RunStopped
