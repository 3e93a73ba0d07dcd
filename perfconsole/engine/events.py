"""Locust's process lifecycle events, fired where and when ``locust/main.py`` fires them.

``init`` after the runner exists; ``test_start``/``test_stop`` come from the runner itself; ``quitting``
(listeners in reverse order) when the process ends its load test, before the exit code is decided, so that a
hook's ``environment.process_exit_code`` can decide it; ``quit`` with the final exit code. Each fires once per
session; worker processes are Locust's own ``locust --worker`` and fire their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfconsole.engine.locust.event_hooks import drop_listeners

if TYPE_CHECKING:
    from locust import LoadTestShape
    from locust.env import Environment
    from locust.runners import Runner

logger = logging.getLogger(__name__)


class Lifecycle:
    """Fires ``init``, ``quitting`` and ``quit`` for one Environment, each at most once."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.init_fired = False
        self.quitting_fired = False
        self.quit_fired = False

    def init(self, runner: Runner) -> None:
        if self.init_fired:
            return
        self.init_fired = True
        self.env.events.init.fire(environment=self.env, runner=runner, web_ui=None)

    def quitting(self) -> int | None:
        """Fire ``quitting`` (once) and return ``environment.process_exit_code`` as the hooks left it."""
        if not self.quitting_fired:
            self.quitting_fired = True
            self.env.events.quitting.fire(environment=self.env, reverse=True)
        code = self.env.process_exit_code
        return int(code) if code is not None else None

    def quit(self, exit_code: int) -> None:
        if self.quit_fired or not self.init_fired:
            return
        self.quit_fired = True
        self.env.events.quit.fire(exit_code=exit_code)


def warn_common_options(
    shape: LoadTestShape, *, users: int | None, spawn_rate: float | None, run_time: float | None
) -> list[str]:
    """Locust's warnings (main.py) when -u/-r/-t are given with a shape that does not read them."""
    if getattr(shape, "use_common_options", False):
        return []
    given = {"users": users, "spawn-rate": spawn_rate, "run-time": run_time}
    ignored = [f"--{name}" for name, value in given.items() if value]
    if not ignored:
        return []
    lines = [
        "--run-time, --users or --spawn-rate have no impact on LoadShapes unless the shape class explicitly "
        "reads them. See: docs.locust.io/en/stable/custom-load-shape.html#use-common-options",
        f"The following option(s) will be ignored: {', '.join(ignored)}",
    ]
    locust_main = logging.getLogger("locust.main")
    for line in lines:
        locust_main.warning(line)
    return lines


def remove_listeners(events: Any, files: Iterable[Path], owners: Iterable[object]) -> int:
    """Take out of ``events`` (Locust's global ``locust.events``) the listeners a finished session leaves:
    those defined in its locustfiles (the next run imports them afresh and registers them again) and those
    bound to its runner or environment (Locust's runners register closures). Returns how many went."""
    names = {str(Path(f).resolve()) for f in files}
    bound = [owner for owner in owners if owner is not None]
    return drop_listeners(events, lambda _name, handler: _belongs(handler, names, bound))


def _belongs(handler: Any, files: set[str], owners: list[object]) -> bool:
    function = getattr(handler, "__func__", handler)  # bound methods too
    code = getattr(function, "__code__", None)
    if code is not None and code.co_filename in files:
        return True
    if any(getattr(handler, "__self__", None) is owner for owner in owners):
        return True
    for cell in getattr(function, "__closure__", None) or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if any(contents is owner for owner in owners):
            return True
    return False
