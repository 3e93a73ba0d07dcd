"""The base of every console screen with keys: its one action list feeds help and the command palette, and
its one ``say`` answers on the screen's message line."""

from __future__ import annotations

from textual.screen import Screen

from perfconsole.tui.actions import ActionSpec
from perfconsole.tui.screens.modals import HelpScreen
from perfconsole.tui.widgets.message_line import MessageLine


class KeyedScreen(Screen[None]):
    """A screen whose ``ACTIONS`` are its bindings, key bar, help and palette entries."""

    ACTIONS: tuple[ActionSpec, ...] = ()

    def say(self, message: str, kind: str = "info") -> None:
        """A line on this screen's message line (``kind``: info, error, warning, verdict)."""
        self.query_one(MessageLine).show(message, kind)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.ACTIONS))
