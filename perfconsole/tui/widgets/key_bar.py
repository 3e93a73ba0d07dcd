"""The key bar: the screen's keys in at most two lines (the least used leave it first at narrow widths)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from perfconsole.tui.actions import ActionSpec, key_bar_lines


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { height: auto; dock: bottom; background: $panel; color: $text-muted; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--separator"}

    def __init__(self, actions: tuple[ActionSpec, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actions = actions

    def render(self) -> Text:
        separator, lines = key_bar_lines(self.actions, max(10, self.size.width))
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        separator_style = self.get_component_rich_style("key-bar--separator", partial=True)
        text = Text()
        for index, fields in enumerate(lines):
            if index:
                text.append("\n")
            for field_index, field in enumerate(fields):
                if field_index:
                    text.append(separator, style=separator_style)
                key, _, label = field.partition(" ")
                text.append(key, style=key_style)
                text.append(f" {label}")
        return text

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(key_bar_lines(self.actions, max(10, width))[1])
