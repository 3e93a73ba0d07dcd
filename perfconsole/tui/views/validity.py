"""The live validity stamp on the status bar (the stamp itself is judged in the frame, tui/frame.py)."""

from __future__ import annotations


def invalid_field(validity: str, width: int) -> str:
    """The status bar's stamp: ``INVALID: generator lagging, worker lost``, each kind of reason once and
    cut to ``width`` (the full reasons are in the message line's warning and in the saved run), so that
    the bar keeps its figures on screen at 80 columns."""
    reasons = (reason.strip() for reason in validity.split(":", 1)[-1].split(";"))
    kinds = dict.fromkeys(reason.split(":", 1)[0] for reason in reasons if reason)
    field = "INVALID: " + ", ".join(kinds)
    return field if len(field) <= width else field[: max(1, width - 1)] + "…"
