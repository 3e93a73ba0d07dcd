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
