"""Value validators shared by the config reader and the CLI: durations, users, spawn rates, workers.

Each raises :class:`~perfconsole.errors.UserError` with one line naming ``where``.
"""

from __future__ import annotations

import math
import re

from perfconsole.errors import UserError

MAX_USERS = 100_000
MAX_SPAWN_RATE = 10_000.0
MAX_DURATION_S = 7 * 24 * 3600.0
MAX_WORKERS = 512
MAX_ARRIVAL_RATE = 1_000_000.0
"""Iterations per second, the arrival-rate mode's largest target."""

_TIMESPAN = re.compile(
    r"(?:(?P<d>\d+(?:\.\d+)?)d)?(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?"
)
_UNIT_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def number_or_none(value: object) -> float | None:
    """``value`` as a finite float if it is a number or numeric string, else None (bools are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def parse_duration(value: object, where: str) -> float:
    """Seconds from a Locust timespan (``"90s"``, ``"5m"``, ``"1h30m"``, also ``"2d"``) or a number of
    seconds; UserError naming ``where`` for anything else or a negative value."""
    try:
        return timespan_seconds(value)
    except ValueError as error:
        raise UserError(f"{where}: {error}") from None


def confirm_seconds(value: object, where: str) -> float:
    """A capacity search's confirmation hold: 0 (none) or a timespan."""
    if value == 0 or (isinstance(value, str) and value.strip() == "0"):
        return 0.0
    return parse_duration(value, where)


def validate_duration(value: object, where: str) -> float:
    """A run duration in seconds: more than 0 and at most 7 days."""
    try:
        return duration_seconds(value)
    except ValueError as error:
        raise UserError(f"{where}: {error}") from None


def timespan_seconds(value: object) -> float:
    """:func:`parse_duration` without the place: ValueError with the problem."""
    seconds = number_or_none(value)
    if seconds is None and isinstance(value, str):
        match = _TIMESPAN.fullmatch(value.strip().lower())
        if match and any(match.groupdict().values()):
            seconds = sum(float(n) * _UNIT_SECONDS[unit] for unit, n in match.groupdict().items() if n)
    if seconds is None:
        raise ValueError(f"expected a duration like 90s, 5m or 1h30m, or a number of seconds, got {value!r}")
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative, got {value!r}")
    return seconds


def duration_seconds(value: object) -> float:
    """:func:`validate_duration` without the place: ValueError with the problem."""
    seconds = timespan_seconds(value)
    if seconds <= 0:
        raise ValueError(f"the duration must be more than 0 seconds, got {value!r}")
    if seconds > MAX_DURATION_S:
        raise ValueError(f"the duration must be at most 7 days, got {value!r}")
    return seconds


def validate_users(value: object, where: str) -> int:
    """A user count: a whole number from 1 to 100000 (numeric strings accepted)."""
    number = number_or_none(value)
    expected = f"expected a whole number of users from 1 to {MAX_USERS}"
    if number is None or not number.is_integer():
        raise UserError(f"{where}: {expected}, got {value!r}")
    if not 1 <= number <= MAX_USERS:
        raise UserError(f"{where}: {expected}, got {value!r}")
    return int(number)


def validate_spawn_rate(value: object, where: str) -> float:
    """Users started (or stopped) per second: more than 0 and at most 10000."""
    number = number_or_none(value)
    if number is None or not 0 < number <= MAX_SPAWN_RATE:
        raise UserError(
            f"{where}: expected a spawn rate above 0 and at most {MAX_SPAWN_RATE:g} users/s, got {value!r}"
        )
    return number


def validate_workers(value: object, where: str) -> int:
    """A worker process count: 0 (in-process) up to 512."""
    number = number_or_none(value)
    if number is None or not number.is_integer() or not 0 <= number <= MAX_WORKERS:
        raise UserError(
            f"{where}: expected a whole number of workers from 0 (in-process) to {MAX_WORKERS}, got {value!r}"
        )
    return int(number)


def validate_arrival_rate(value: object, where: str, allow_zero: bool = False) -> float:
    """An arrival rate in iterations per second (above 0, or 0 too with ``allow_zero``)."""
    number = number_or_none(value)
    low_ok = number is not None and (number >= 0 if allow_zero else number > 0)
    if number is None or not low_ok or number > MAX_ARRIVAL_RATE:
        low = "from 0" if allow_zero else "above 0"
        raise UserError(
            f"{where}: expected an arrival rate {low} and at most {MAX_ARRIVAL_RATE:g} iterations/s, "
            f"got {value!r}"
        )
    return number
