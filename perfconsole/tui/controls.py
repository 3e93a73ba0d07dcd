"""Pure control arithmetic and parsing of values typed by the operator (bad input raises UserError)."""

from __future__ import annotations

from perfconsole.config import validate_spawn_rate, validate_users


def step_users(target: int, step: int, direction: int) -> int:
    """One step up (``direction`` 1) or down (-1) from the target user count, never below 1 (pause is 0)."""
    return max(1, target + direction * max(1, step))


def double_users(target: int) -> int:
    return max(1, target * 2)


def halve_users(target: int) -> int:
    return max(1, target // 2)


def parse_users(text: str) -> int:
    """A user count typed by the operator (config's rule: a whole number from 1 to 100000)."""
    return validate_users(text.strip(), "users")


def parse_spawn_rate(text: str) -> float | None:
    """A spawn rate typed by the operator; empty keeps the current rate (None)."""
    text = text.strip()
    return validate_spawn_rate(text, "spawn rate") if text else None
