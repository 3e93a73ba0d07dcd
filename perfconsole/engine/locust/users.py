"""What a user is, read from how Locust builds it: a user class's pacing interval, and the user the running
greenlet belongs to. Locust exposes neither.

- ``constant_pacing(s)`` (and ``constant_throughput(r)``, which is ``constant_pacing(1 / r)``) returns a
  closure named ``constant_pacing.<locals>.wait_time_func`` that holds the interval as its free variable
  ``wait_time`` (locust/user/wait_time.py).
- ``User.start`` spawns each user's greenlet as ``group.spawn(run_user, self)`` (locust/user/users.py), so the
  greenlet's first argument is the user.
"""

from __future__ import annotations

from typing import Any

import gevent

PACING_FUNCTION = "constant_pacing.<locals>.wait_time_func"
"""Locust's constant_throughput(r) is constant_pacing(1 / r): both return this closure."""


def pacing_interval_s(user_class: type) -> float | None:
    """The pacing interval of a user class in seconds, or None if it is not paced."""
    function = getattr(user_class, "wait_time", None)
    if getattr(function, "__qualname__", "") != PACING_FUNCTION:
        return None
    closure = getattr(function, "__closure__", None) or ()
    names = getattr(getattr(function, "__code__", None), "co_freevars", ())
    value = dict(zip(names, (cell.cell_contents for cell in closure), strict=False)).get("wait_time")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def running_user_class() -> type | None:
    """The class of the user whose greenlet runs now (None outside a user's greenlet)."""
    args: Any = getattr(gevent.getcurrent(), "args", None)
    return type(args[0]) if args else None
