"""Locust's own log lines (warning and above) sent to the operator's log instead of over the console."""

from __future__ import annotations

import logging

from perfconsole.engine.worker_output import OperatorLog


class LocustLog(logging.Handler):
    """Sends Locust's warnings and errors, first line each, to the operator's log (console log view,
    headless stderr, workers.log) instead of letting them write over the console."""

    def __init__(self, output: OperatorLog) -> None:
        super().__init__(logging.WARNING)
        self.output = output

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        line = message.splitlines()[0] if message else ""
        self.output.add("locust", f"{record.levelname}: {line}")

    def install(self) -> None:
        """Take over the ``locust`` logger's output (idempotent)."""
        locust_logger = logging.getLogger("locust")
        if self not in locust_logger.handlers:
            locust_logger.addHandler(self)
            locust_logger.propagate = False

    def uninstall(self) -> None:
        logging.getLogger("locust").removeHandler(self)
