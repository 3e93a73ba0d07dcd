"""The annotations list's lines (the notes, changes and warnings pinned to a run)."""

from __future__ import annotations

from collections.abc import Iterable

from perfconsole.model.run import Annotation
from perfconsole.tui.formatting import fmt_duration
from perfconsole.tui.marks import annotation_mark
from perfconsole.tui.shown import shown_text


def annotation_lines(annotations: Iterable[Annotation]) -> list[str]:
    """``0:35 U users  20 -> 40`` lines, in time order."""
    return [
        f"{fmt_duration(a.elapsed_s):>7} {annotation_mark(a.kind)} {a.kind:<8} {shown_text(a.text)}"
        for a in sorted(annotations, key=lambda a: a.elapsed_s)
    ]
