"""One line answering the operator's last action (or the spike verdict), fitted to the width."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.tui.shown import shown_text
from perfconsole.tui.text_layout import fit_text

PREFIX = {"info": "› ", "error": "✗ ", "verdict": "◆ ", "warning": "! "}
"""A symbol per kind so messages read without colour."""
STYLE = {"info": "", "error": "bold red", "verdict": "bold", "warning": "bold yellow"}


class MessageLine(Widget):
    DEFAULT_CSS = """
    MessageLine { height: 1; padding: 0 1; }
    """

    message: reactive[str] = reactive("")
    kind: reactive[str] = reactive("info")

    def show(self, message: str, kind: str = "info") -> None:
        self.message, self.kind = shown_text(message), kind

    def render(self) -> Text:
        if not self.message:
            return Text("")
        line = fit_text(PREFIX.get(self.kind, "") + self.message, self.content_size.width)
        return Text(line, style=STYLE.get(self.kind, ""))
