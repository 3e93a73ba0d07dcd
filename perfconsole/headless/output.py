"""Everything a headless run writes to the terminal, in one place: data on stdout, the rest on stderr.

- stdout: the summary (or the ``--summary-json`` / Locust's ``--json`` document) and, as with
  ``locust --headless --processes N``, what local workers print;
- stderr: perfconsole's status and progress lines, Locust's log lines (its own handler, set up by
  ``locust.log.setup_logging`` in Locust's format for master and workers alike) and what workers log.

With ``--summary-json`` or ``--json`` stdout is the JSON document only: workers' prints go to stderr then,
and so does what this process prints (in-process users, the master's hooks): see :meth:`HeadlessOutput.run`.
Workers' output arrives in batches (one per worker and stream, about once a second): one write each.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from perfconsole.engine.workers.output import Batch

WORKER_PREFIX = "worker "
LOCUST_SOURCE = "locust"


class HeadlessOutput:
    def __init__(self, stdout: TextIO, stderr: TextIO, data_only: bool = False) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.data_only = data_only
        """stdout carries the JSON document only (``--summary-json``, ``--json``)."""

    @contextmanager
    def run(self) -> Iterator[None]:
        """While a run goes: with a JSON document to come on stdout, ``print`` in this process (a
        locustfile's, in-process or in a hook) writes to stderr instead."""
        if not self.data_only:
            yield
            return
        held = sys.stdout
        sys.stdout = self.stderr
        try:
            yield
        finally:
            sys.stdout = held

    def status(self, line: str) -> None:
        """perfconsole's own one-line messages."""
        self.line(f"perfconsole: {line}")

    def line(self, text: str) -> None:
        """A line on stderr (progress, the summary when stdout is JSON)."""
        self.stderr.write(f"{text}\n")
        self.stderr.flush()

    def data(self, text: str) -> None:
        self.stdout.write(f"{text}\n")
        self.stdout.flush()

    def flush(self) -> None:
        for stream in (self.stdout, self.stderr):
            stream.flush()

    def relay(self, batch: Batch) -> None:
        """Lines from the operator's log: workers' output where Locust's workers put it, unprefixed;
        other sources (a sampler hiccup ...) prefixed on stderr. Locust's own log lines are skipped: its
        handler already wrote them."""
        if batch.source == LOCUST_SOURCE:
            return
        if batch.source.startswith(WORKER_PREFIX):
            lines = batch.lines
            to_stdout = batch.stream == "stdout" and not self.data_only
        else:
            lines = tuple(f"[{batch.source}] {line}" for line in batch.lines)
            to_stdout = False
        stream = self.stdout if to_stdout else self.stderr
        stream.write("".join(f"{line}\n" for line in lines))
        stream.flush()
