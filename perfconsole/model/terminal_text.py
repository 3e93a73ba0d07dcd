"""Untrusted text made safe for a terminal: the one sanitiser of every output path.

Endpoint names come from a target's URLs and from locustfiles, error texts from a target, notes and run names
from the command line or a run directory: any of them may hold terminal escape sequences (``ESC[2J`` clears
the screen, ``ESC]0;...`` sets the window title) or control characters. Whatever perfconsole shows (headless
stdout/stderr, ``compare``, ``runs``, ``baseline show``, the console's widgets) passes through
:func:`safe_text` or :func:`safe_line`; saved files keep the raw text (it is data, and JSON/TOML escape it).
"""

from __future__ import annotations

import re

_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\[ [0-?]* [ -/]* [@-~]?                # CSI: ESC [ parameters intermediates final
    | \x1b[\]PX^_] [^\n]*? (?: \x07 | \x1b\\ | (?=\n) | \Z )  # OSC, DCS, SOS, PM, APC: to BEL, ST, line end
    | \x1b [ -/]* [0-~]?                         # any other escape: ESC intermediates final
    | \x9b [0-?]* [ -/]* [@-~]?                  # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f] [^\n]*? (?: \x07 | \x9c | (?=\n) | \Z )  # 8-bit OSC, DCS, SOS, PM, APC
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 (but tab and newline), DEL, C1, and the bidirectional overrides that reorder what a line seems to say:
all of them zero cells wide."""
_LINE_BREAKS = re.compile(r"[\t\n]+")


def safe_text(text: str) -> str:
    """``text`` without escape sequences and control characters; newlines and tabs are kept."""
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():  # C speed, most text
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def safe_line(text: str) -> str:
    """:func:`safe_text` on one line: tabs and newlines become one space each run."""
    return _LINE_BREAKS.sub(" ", safe_text(text))


def without_controls(text: str) -> str:
    """``text`` without its control characters (ESC included) only: a last guard where the width of what is
    shown is already laid out (the characters removed take no cells; a sequence's printable rest stays)."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", text)
