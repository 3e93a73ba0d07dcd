"""Locust's own log lines (warning and above) sent to the operator's log instead of over the console, each
distinct line once (Locust repeats some, e.g. its CPU warning every few seconds)."""

from __future__ import annotations

import logging

from perfconsole.engine.workers.output import OperatorLog

SEEN_KEEP = 1000
"""Distinct lines remembered for deduplication (beyond it, new lines are shown every time)."""


class LocustLog(logging.Handler):
    """Sends Locust's warnings and errors, first line each, to the operator's log (console log view,
    headless stderr, workers.log) instead of letting them write over the console."""

    def __init__(self, output: OperatorLog) -> None:
        super().__init__(logging.WARNING)
        self.output = output
        self._seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        line = f"{record.levelname}: {message.splitlines()[0] if message else ''}"
        if line in self._seen:
            return
        if len(self._seen) < SEEN_KEEP:
            self._seen.add(line)
        self.output.add("locust" if record.name.startswith("locust") else "log", line)

    def install(self) -> None:
        """Take over the ``locust`` logger's output (idempotent); and the root logger's when nothing set it
        up (the console: a locustfile's own warnings would otherwise go to a stderr the screen swallows)."""
        locust_logger = logging.getLogger("locust")
        if self not in locust_logger.handlers:
            locust_logger.addHandler(self)
            locust_logger.propagate = False
        root = logging.getLogger()
        if not root.handlers:
            root.addHandler(self)

    def uninstall(self) -> None:
        logging.getLogger("locust").removeHandler(self)
        logging.getLogger().removeHandler(self)
