"""Live controls under a shape (a locustfile's LoadTestShape or a staged profile) ask before they act: the
shape's stages are never dropped silently. Yes leaves the shape (the engine annotates it and the status
line says "manual" from then on); no keeps it and says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from textual.app import App

from perfconsole.tui.screens.modals import YesNoModal
from perfconsole.tui.session_api import ConsoleSession

QUESTIONS = {
    "x": "x fires the spike drill over shape {shape}; its stages go on by their own clock afterwards.",
    "p": "p replaces shape {shape} with the profile you pick next.",
}
DEFAULT_QUESTION = "{key} leaves shape {shape}: the run is manual from then on (no more stages)."


class LeaveShapeModal(YesNoModal):
    """One question: go on and leave (or interrupt) the shape?"""

    def __init__(self, question: str) -> None:
        super().__init__(f"{question}  Go on?")


def question_for(key: str, shape: str) -> str:
    return QUESTIONS.get(key, DEFAULT_QUESTION).format(key=key, shape=shape)


def guard_shape(
    screen: ShapeGuardHost, session: ConsoleSession | None, key: str, proceed: Callable[[], object]
) -> None:
    """Run ``proceed`` now when no shape is followed; else ask first, and on no say the shape goes on."""
    shape = session.active_shape if session is not None else None
    if shape is None:
        proceed()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            proceed()
        else:
            screen.say(f"kept shape {shape}: {key} not applied")

    screen.app.push_screen(LeaveShapeModal(question_for(key, shape)), answered)


class ShapeGuardHost(Protocol):
    """What ``guard_shape`` needs from a screen (the dashboard)."""

    @property
    def app(self) -> App[Any]: ...
    def say(self, message: str, kind: str = "info") -> None: ...
