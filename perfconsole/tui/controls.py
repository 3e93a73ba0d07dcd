"""Pure control arithmetic and parsing of values typed by the operator (bad input raises UserError)."""

from __future__ import annotations

from perfconsole.config import validate_arrival_rate, validate_spawn_rate, validate_users


def step_users(target: int, step: int, direction: int) -> int:
    """One step up (``direction`` 1) or down (-1) from the target user count, never below 1 (pause is 0)."""
    return max(1, target + direction * max(1, step))


def double_users(target: int) -> int:
    return max(1, target * 2)


def halve_users(target: int) -> int:
    return max(1, target // 2)


OVERDRIVE_FACTOR = 4
"""A typed user count above this many times the current target asks for confirmation."""


def overdrive_limit(current: int, peak: int | None) -> int:
    """The largest user count the users dialog applies without asking: the profile's peak (when the run
    follows a profile) and ``OVERDRIVE_FACTOR`` times the current target (a paused run counts as 1)."""
    limit = OVERDRIVE_FACTOR * max(1, current)
    return limit if peak is None else min(limit, peak)


def overdrive_reason(users: int, current: int, peak: int | None) -> str | None:
    """Why ``users`` needs a confirmation (None: it does not): above the profile's peak, or above
    ``OVERDRIVE_FACTOR`` times the ``current`` target."""
    reasons = []
    if peak is not None and users > peak:
        reasons.append(f"above the profile's peak of {peak}")
    if users > OVERDRIVE_FACTOR * max(1, current):
        reasons.append(f"over {OVERDRIVE_FACTOR}x the current {current}")
    return " and ".join(reasons) or None


def parse_users(text: str) -> int:
    """A user count typed by the operator (config's rule: a whole number from 1 to 100000)."""
    return validate_users(text.strip(), "users")


def parse_spawn_rate(text: str) -> float | None:
    """A spawn rate typed by the operator; empty keeps the current rate (None)."""
    text = text.strip()
    return validate_spawn_rate(text, "spawn rate") if text else None


RATE_STEP = 0.10
"""``[`` and ``]`` change the arrival rate by this fraction."""


def step_rate(rate: float, direction: int) -> float:
    """The arrival rate one step (10 %) up or down: whole iterations/s from 10/s, tenths below, never 0."""
    stepped = rate * (1 + direction * RATE_STEP)
    return float(round(stepped)) if stepped >= 10 else max(0.1, round(stepped, 1))


def parse_arrival_rate(text: str) -> float:
    """An arrival rate typed by the operator: iterations per second, or ``0`` / ``off`` for none."""
    text = text.strip().lower()
    if text in ("0", "off", "0.0"):
        return 0.0
    return validate_arrival_rate(text, "arrival rate")
