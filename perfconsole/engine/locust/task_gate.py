"""The gate between a user's tasks in arrival-rate mode: unchanged locustfiles, paced by the schedule.

Locust's ``TaskSet.run`` loops ``execute_next_task()`` then ``wait()``. While a gate is open, each task
(one ``@task`` call: one iteration) first waits for its turn from the pacer, on an idle user, and
``wait()`` no longer sleeps the user's ``wait_time``. Entering a nested TaskSet is not an iteration: its own
tasks are. Installed by patching ``TaskSet``'s ``execute_next_task`` and ``wait`` (and reading its
``_task_queue``): Locust has no hook between a user's tasks. With no pacer active the originals run.
"""

from __future__ import annotations

from typing import Any, Protocol

from locust.exception import StopUser
from locust.user.task import LOCUST_STATE_RUNNING, LOCUST_STATE_STOPPING, LOCUST_STATE_WAITING, TaskSet


class Turns(Protocol):
    def await_turn(self, user: Any) -> None: ...


WAITING = LOCUST_STATE_WAITING
"""A user waiting for its turn (set on ``user._state`` by the pacer): a stop kills it at once, as during its
``wait_time``."""
RUNNING = LOCUST_STATE_RUNNING

_ORIGINAL_EXECUTE = TaskSet.execute_next_task
_ORIGINAL_WAIT = TaskSet.wait
_active: Turns | None = None


def _gated_execute_next_task(self: TaskSet) -> None:
    pacer = _active
    if pacer is not None:
        queue = self._task_queue
        upcoming = queue[0] if queue else None
        if not (isinstance(upcoming, type) and issubclass(upcoming, TaskSet)):
            pacer.await_turn(self.user)
    _ORIGINAL_EXECUTE(self)


def _gated_wait(self: TaskSet) -> None:
    if _active is None:
        _ORIGINAL_WAIT(self)
        return
    if self.user._state == LOCUST_STATE_STOPPING:  # the user's wait_time is not used: the schedule paces
        raise StopUser()


def open_gate(pacer: Turns) -> None:
    """Pace every user of this process with ``pacer`` from their next task on."""
    global _active
    _active = pacer
    TaskSet.execute_next_task = _gated_execute_next_task  # type: ignore[method-assign]
    TaskSet.wait = _gated_wait  # type: ignore[method-assign]


def close_gate() -> None:
    """Back to Locust's own loop: users wait their ``wait_time`` again."""
    global _active
    _active = None
    TaskSet.execute_next_task = _ORIGINAL_EXECUTE  # type: ignore[method-assign]
    TaskSet.wait = _ORIGINAL_WAIT  # type: ignore[method-assign]


def gate_open() -> bool:
    return _active is not None
