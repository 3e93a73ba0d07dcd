"""Laying text out in a width (pure, no Textual): fitting one line, packing fields into lines.

Two shapes of line: plain strings (the status bar, the key hints, the message line) and lists of
``(text, role)`` spans (the resource panel), where a widget maps each role to a style. Both pack by one rule
(:func:`wrap_items`): greedy, a field never splits, fields a gap apart."""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[str, str]
"""``(text, role)``; roles: ``head``, ``ok``, ``bad``, ``warn``, ``dim`` or ``""`` (plain)."""
Line = list[Span]

HEAD_WIDTH = 11
"""Width of the ``generator`` / ``box`` / ``target`` ... labels in front of each resource line."""


ELLIPSIS = "…"
MIN_KEPT = 3
"""Characters kept on each side of a word cut in the middle."""


def fit_text(text: str, width: int) -> str:
    """``text`` in ``width`` characters, its ending kept: the longest word (a run id, a path) loses its
    middle first, e.g. ``run 2026…-notifications-light (B makes it a baseline)``; only when that is not
    enough is the line cut at the end."""
    if len(text) <= width or width <= 0:
        return text
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    keep = len(word) - (len(text) - width) - len(ELLIPSIS)
    if keep >= 2 * MIN_KEPT:
        head = keep // 3
        words[longest] = word[:head] + ELLIPSIS + word[len(word) - (keep - head) :]
        return " ".join(words)
    return text[: width - len(ELLIPSIS)] + ELLIPSIS


def line_text(line: Line) -> str:
    return "".join(text for text, _ in line)


def fit_line(line: Line, width: int) -> Line:
    """Cut a line at ``width`` characters (spans past the edge are dropped or shortened)."""
    out: Line = []
    room = max(0, width)
    for text, role in line:
        if room <= 0:
            break
        out.append((text[:room], role))
        room -= len(text)
    return out


def wrap_items(items: Sequence[Line], width: int, head: Line, indent: int, gap: str = "  ") -> list[Line]:
    """Items after ``head`` (``indent`` characters wide), ``gap`` apart, greedily packed into lines of at
    most ``width`` characters; an item never splits (one too wide for any line gets a line of its own) and
    each further line starts with ``indent`` spaces."""
    lines: list[Line] = []
    current: Line = list(head)
    used = indent
    for item in items:
        size = len(line_text(item))
        if used > indent and used + len(gap) + size > width:
            lines.append(current)
            current, used = [(" " * indent, "")], indent
        if used > indent:
            current.append((gap, ""))
            used += len(gap)
        current.extend(item)
        used += size
    lines.append(current)
    return lines


def pack_fields(fields: Sequence[str], width: int, separator: str = "  ") -> list[str]:
    """Greedy line packing of fields into lines of at most ``width`` characters (a field never splits)."""
    lines = wrap_items([[(field, "")] for field in fields], width, head=[], indent=0, gap=separator)
    return [text for text in map(line_text, lines) if text]


def pack_spans(head: str, items: Sequence[Line], width: int, head_width: int = HEAD_WIDTH) -> list[Line]:
    """Items after a head label, packed into as many lines as ``width`` needs (an item never splits)."""
    lines = wrap_items(items, width, head=[(head.ljust(head_width), "head")], indent=head_width)
    return [fit_line(line, width) for line in lines]


def fields_line(head: str, fields: Sequence[Span], width: int) -> Line:
    """A head label and fields two spaces apart; fields that would pass ``width`` are left out whole
    (a figure is never cut in the middle)."""
    line: Line = [(head.ljust(HEAD_WIDTH), "head")]
    used = HEAD_WIDTH
    for index, (text, role) in enumerate(fields):
        gap = "  " if index else ""
        if used + len(gap) + len(text) > width:
            break
        if gap:
            line.append((gap, ""))
        line.append((text, role))
        used += len(gap) + len(text)
    return line
