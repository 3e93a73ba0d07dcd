"""A pytest plugin (loaded by conftest): a test that starts Locust users in this process must be marked
``slow``, so that ``-m "not slow"`` stays the fast tier. Runs started as child processes (``perfconsole run``)
are not seen here; their tests are marked by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from locust.runners import LocalRunner, MasterRunner

STARTS: list[str] = []
"""One entry per ``start`` of a local or master runner in this process."""


def _count_starts(cls: Any) -> None:
    original = cls.start

    def start(self: Any, *args: Any, **kwargs: Any) -> Any:
        STARTS.append(cls.__name__)
        return original(self, *args, **kwargs)

    cls.start = start


for _runner in (LocalRunner, MasterRunner):
    _count_starts(_runner)


@pytest.fixture(autouse=True)
def _users_need_the_slow_mark(request: pytest.FixtureRequest) -> Iterator[None]:
    before = len(STARTS)
    yield
    if len(STARTS) > before and request.node.get_closest_marker("slow") is None:
        pytest.fail(
            f"{request.node.nodeid} starts Locust users: mark it slow (pytest.mark.slow, or a module-level "
            "pytestmark) so that -m 'not slow' stays the fast tier",
            pytrace=False,
        )
