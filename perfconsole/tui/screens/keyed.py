"""The base of every console screen with keys: its one action list feeds help and the command palette."""

from __future__ import annotations

from textual.screen import Screen

from perfconsole.tui.actions import ActionSpec
from perfconsole.tui.screens.modals import HelpScreen


class KeyedScreen(Screen[None]):
    """A screen whose ``ACTIONS`` are its bindings, key bar, help and palette entries."""

    ACTIONS: tuple[ActionSpec, ...] = ()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.ACTIONS))
