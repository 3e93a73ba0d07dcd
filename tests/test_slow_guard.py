"""The slow guard (tests/slow_guard.py) fails a test that starts Locust users unmarked, passes it marked."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # the inner runs start a user in this process

INNER = """
import pytest
from locust import User, constant, task
from locust.env import Environment


class Idle(User):
    wait_time = constant(60)

    @task
    def nothing(self):
        pass


def _start_one():
    runner = Environment(user_classes=[Idle]).create_local_runner()
    runner.start(1, spawn_rate=1, wait=True)
    runner.quit()


def test_unmarked():
    _start_one()


@pytest.mark.slow
def test_marked():
    _start_one()
"""


def test_an_unmarked_test_that_starts_users_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER)
    # in process, so the guard counts the inner runner; textual-snapshot's session state is per process
    result = pytester.runpytest_inprocess("-p", "slow_guard", "-p", "no:textual-snapshot")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*test_inner.py::test_unmarked starts Locust users (LocalRunner): mark it slow*"]
    )
