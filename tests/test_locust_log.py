"""Locust's own warnings reach the operator's log once per distinct line, warning level and above."""

from __future__ import annotations

import logging

from perfconsole.engine.locust_log import LocustLog
from perfconsole.engine.workers.output import OperatorLog


def test_locust_warnings_reach_the_log_once_each_and_info_does_not() -> None:
    output = OperatorLog()
    handler = LocustLog(output)
    handler.install()
    try:
        logger = logging.getLogger("locust.runners")
        logger.info("spawning 10 users")
        for _ in range(5):
            logger.warning("CPU usage above 90%! This may constrain your throughput")
        logger.error("worker abc missing\nsecond line of a traceback")
    finally:
        handler.uninstall()
    lines = output.tail(10)
    assert len(lines) == 2, lines
    assert "WARNING: CPU usage above 90%" in lines[0] and "ERROR: worker abc missing" in lines[1]
    assert "second line" not in output.text() and "spawning" not in output.text()


def test_a_locustfiles_own_warnings_reach_the_log_when_nothing_set_up_logging() -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()  # the console: no setup_logging, so a locustfile's lines had nowhere to go
    output = OperatorLog()
    handler = LocustLog(output)
    try:
        handler.install()
        logging.getLogger("my_locustfile").warning("token refresh failed for user 7")
        logging.getLogger("my_locustfile").info("fine")
        handler.uninstall()
        logging.getLogger("my_locustfile").warning("after the run")
    finally:
        handler.uninstall()
        root.handlers[:] = saved
    assert output.tail(10) == ["[log] WARNING: token refresh failed for user 7"]


def test_root_handlers_set_up_by_locust_are_left_alone() -> None:
    root = logging.getLogger()
    own = logging.NullHandler()
    root.addHandler(own)
    handler = LocustLog(OperatorLog())
    try:
        handler.install()
        assert handler not in root.handlers
    finally:
        handler.uninstall()
        root.removeHandler(own)
