"""The key bar: every action's key, wrapped over as many lines as the width needs."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from perfconsole.tui.actions import ActionSpec, key_bar_fields
from perfconsole.tui.render import pack_fields


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { height: auto; dock: bottom; background: $panel; color: $text-muted; }
    """

    def __init__(self, actions: tuple[ActionSpec, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actions = actions

    def _lines(self, width: int) -> list[str]:
        return pack_fields(key_bar_fields(self.actions), max(10, width), separator=" │ ")

    def render(self) -> Text:
        text = Text()
        for index, line in enumerate(self._lines(self.size.width)):
            if index:
                text.append("\n")
            for part_index, part in enumerate(line.split(" │ ")):
                if part_index:
                    text.append(" │ ", style="dim")
                key, _, label = part.partition(" ")
                text.append(key, style="bold")
                text.append(f" {label}")
        return text

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._lines(width))
