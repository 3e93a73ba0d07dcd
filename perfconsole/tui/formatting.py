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
    """Run-relative time: ``0:05``, ``12:34``, ``1:02:03``; ``-`` for None, NaN or absurdly long (a
    corrupt file's)."""
    from perfconsole.store.safe_read import MAX_DURATION_S, finite

    value = finite(seconds)
    if value is None or value > MAX_DURATION_S:
        return MISSING
    total = max(0, int(value))
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


def fmt_cpu(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0f}%"


def fmt_rss(value: float | int | None) -> str:
    return MISSING if value is None else fmt_bytes(int(value))


def fmt_count(value: float | int | None) -> str:
    return MISSING if value is None else f"{value:g}"


def fmt_trend(mb_per_min: float | None) -> str:
    return MISSING if mb_per_min is None else f"{mb_per_min:+.2f} MB/min"


def cpu_bar(pct: float, width: int = 10) -> str:
    """``████░░░░░░`` for a 0-100 % value (clamped)."""
    filled = round(max(0.0, min(100.0, pct)) / 100 * width)
    return "█" * filled + "░" * (width - filled)
