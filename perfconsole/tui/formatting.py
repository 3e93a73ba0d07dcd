"""Number and time formatting shared by every panel (pure, no Textual)."""

from __future__ import annotations

MISSING = "-"
"""Shown where a figure has no data (e.g. the current window is idle)."""


def fmt_ms(value: float | None) -> str:
    """Milliseconds, compact: ``3.4``, ``120``, ``12345``, ``123s``."""
    if value is None:
        return MISSING
    if value < 10:
        return f"{value:.1f}"
    if value < 100_000:
        return f"{value:.0f}"
    return f"{value / 1000:.0f}s"


def fmt_rate(value: float | None) -> str:
    """A per-second rate: ``0.0``, ``123.4``, ``12,345``."""
    if value is None:
        return MISSING
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def fmt_spawn_rate(value: float) -> str:
    """Spawn rate without noise: ``5``, ``2.5``."""
    return f"{value:g}"


def fmt_pct(value: float) -> str:
    """A percentage from a 0-100 value: ``0.0%``, ``12.5%``."""
    return f"{value:.1f}%"


def fmt_duration(seconds: float | None) -> str:
    """Run-relative time: ``0:05``, ``12:34``, ``1:02:03``; ``-`` for None."""
    if seconds is None:
        return MISSING
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def fmt_bytes(value: int) -> str:
    """Memory size: ``512K``, ``48M``, ``1.2G``."""
    if value < 1024 * 1024:
        return f"{value / 1024:.0f}K"
    if value < 1024**3:
        return f"{value / 1024**2:.0f}M"
    return f"{value / 1024**3:.1f}G"


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
