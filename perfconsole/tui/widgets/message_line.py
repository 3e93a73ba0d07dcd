"""The line answering the operator's last action (or the spike verdict): one line, two when the message
needs them (a spike verdict at 80 columns), cut with an ellipsis beyond that."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.tui.shown import shown_text
from perfconsole.tui.text_layout import fit_text

PREFIX = {"info": "› ", "error": "✗ ", "verdict": "◆ ", "warning": "! "}
"""A symbol per kind so messages read without colour."""
COLOURED = frozenset({"error", "verdict", "warning"})
"""Kinds with a component class of their own (``message-line--KIND`` in app.tcss); info is plain."""


class MessageLine(Widget):
    DEFAULT_CSS = """
    MessageLine { height: auto; max-height: 2; padding: 0 1; }
    """
    COMPONENT_CLASSES = {f"message-line--{kind}" for kind in COLOURED}

    message: reactive[str] = reactive("", layout=True)
    kind: reactive[str] = reactive("info")

    def show(self, message: str, kind: str = "info") -> None:
        self.message, self.kind = shown_text(message), kind

    def lines(self, width: int) -> list[str]:
        if not self.message:
            return []
        return two_lines(PREFIX.get(self.kind, "") + self.message, width)

    def render(self) -> Text:
        kind = self.kind
        coloured = kind in COLOURED
        style = self.get_component_rich_style(f"message-line--{kind}", partial=True) if coloured else ""
        return Text("\n".join(self.lines(self.content_size.width)), style=style, no_wrap=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self.lines(width)))


def two_lines(text: str, width: int) -> list[str]:
    """``text`` in one line of ``width``, else two: wrapped at a space, the rest fitted to the second."""
    if len(text) <= width or width <= 0:
        return [text]
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    return [text[:cut], fit_text(text[cut:].lstrip(), width)]
