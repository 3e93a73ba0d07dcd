"""A pytest plugin (loaded by conftest): a test that starts Locust users in this process, or a child process
(``perfconsole``, a worker, a demo target, tmux, any program, a fork), must be marked ``slow``, so that
``-m "not slow"`` stays the fast tier. What a session-scoped fixture starts (the shared demo target) is set up
before this check begins and is not counted."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from locust.runners import LocalRunner, MasterRunner

STARTS: list[str] = []
"""One entry per ``start`` of a local or master runner, or per child process, started in this process."""


def _count_starts(cls: Any, method: str, what: str) -> None:
    original = getattr(cls, method)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        STARTS.append(what)
        return original(self, *args, **kwargs)

    setattr(cls, method, counted)


for _runner in (LocalRunner, MasterRunner):
    _count_starts(_runner, "start", f"Locust users ({_runner.__name__})")
_count_starts(subprocess.Popen, "__init__", "a child process")
_count_starts(multiprocessing.Process, "start", "a child process")
_fork = os.fork


def _counted_fork() -> int:
    STARTS.append("a child process (fork)")
    return _fork()


os.fork = _counted_fork


@pytest.fixture(autouse=True)
def _users_need_the_slow_mark(request: pytest.FixtureRequest) -> Iterator[None]:
    before = len(STARTS)
    yield
    if len(STARTS) > before and request.node.get_closest_marker("slow") is None:
        pytest.fail(
            f"{request.node.nodeid} starts {STARTS[before]}: mark it slow (pytest.mark.slow, or a "
            "module-level pytestmark) so that -m 'not slow' stays the fast tier",
            pytrace=False,
        )
