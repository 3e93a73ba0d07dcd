"""The console's last guard against terminal injection: a line filter over everything every widget draws.

Untrusted texts (endpoint names, error texts, notes, run names) are cleaned where they enter the console
(perfconsole.tui.shown: escape sequences and control characters removed); this filter drops any control
character (ESC included) that still reaches a segment, so none is ever written to the terminal. The
characters it drops take no cells, so the layout is unchanged.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from perfconsole.model.terminal_text import without_controls


class TerminalTextFilter(LineFilter):
    """Removes control characters from the text of every segment (not from Textual's control segments)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(segment.text.isprintable() for segment in segments):
            return segments
        return [
            segment
            if segment.control or segment.text.isprintable()
            else Segment(without_controls(segment.text), segment.style)
            for segment in segments
        ]
