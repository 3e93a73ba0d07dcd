"""What local workers print and log, and Locust's own warnings, brought to the operator.

Each local worker writes its stdout/stderr to its own temporary file (a worker never blocks on a reader and
never draws over the console); ``WorkerOutput.poll`` reads the new complete lines and hands them to the
``OperatorLog`` prefixed with the worker (``[worker 1] ...``). The log keeps the lines for the console's log
view and for ``workers.log`` in the run directory, and passes each one to its listeners (headless: stderr).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

MAX_LINES = 50_000
"""Lines kept for workers.log and the log view; past it the oldest go (and a marker says so)."""
MAX_LINE_CHARS = 2_000
WORKERS_LOG = "workers.log"


class OperatorLog:
    """Lines for the operator, oldest first: ``[worker N] ...`` and ``[locust] ...``."""

    def __init__(self, max_lines: int = MAX_LINES) -> None:
        self.max_lines = max_lines
        self.lines: list[str] = []
        self.dropped = 0
        self.listeners: list[Callable[[str], None]] = []

    def add(self, source: str, text: str) -> None:
        line = f"[{source}] {text.rstrip()[:MAX_LINE_CHARS]}"
        self.lines.append(line)
        if len(self.lines) > self.max_lines:
            cut = len(self.lines) - self.max_lines
            del self.lines[:cut]
            self.dropped += cut
        for listener in list(self.listeners):
            listener(line)

    def tail(self, count: int) -> list[str]:
        return self.lines[-count:] if count > 0 else []

    def text(self) -> str:
        head = [f"[perfconsole] {self.dropped} older line(s) dropped"] if self.dropped else []
        return "".join(f"{line}\n" for line in (*head, *self.lines))

    def write(self, directory: Path) -> Path | None:
        """``workers.log`` in ``directory`` (a run's staging directory: saved atomically with the run)."""
        if not self.lines:
            return None
        path = directory / WORKERS_LOG
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.text())
            handle.flush()
            os.fsync(handle.fileno())
        return path


class WorkerOutput:
    """One temporary output file per local worker, read incrementally into an ``OperatorLog``."""

    def __init__(self, count: int, log: OperatorLog) -> None:
        self.log = log
        self.paths: list[Path] = []
        self._offsets: list[int] = []
        self._partial: list[bytes] = []
        for index in range(count):
            fd, name = tempfile.mkstemp(prefix=f"perfconsole-workers-{index + 1}-", suffix=".log")
            os.close(fd)
            self.paths.append(Path(name))
            self._offsets.append(0)
            self._partial.append(b"")

    def poll(self, final: bool = False) -> int:
        """Hand the new complete lines of every worker to the log (``final``: the unfinished ones too)."""
        added = 0
        for index, path in enumerate(self.paths):
            try:
                with open(path, "rb") as handle:
                    handle.seek(self._offsets[index])
                    chunk = handle.read()
            except OSError:
                continue
            self._offsets[index] += len(chunk)
            data = self._partial[index] + chunk
            *complete, rest = data.split(b"\n")
            if final and rest:
                complete.append(rest)
                rest = b""
            self._partial[index] = rest
            for raw in complete:
                text = raw.decode("utf-8", errors="replace").rstrip("\r")
                if text.strip():
                    self.log.add(f"worker {index + 1}", text)
                    added += 1
        return added

    def tail(self, lines: int = 5) -> str:
        """The last lines of every worker's output, one string (for error messages)."""
        texts: list[str] = []
        for path in self.paths:
            try:
                texts += path.read_text(errors="replace").strip().splitlines()
            except OSError:
                continue
        return " | ".join(line.strip() for line in texts[-lines:] if line.strip())

    def remove(self) -> None:
        for path in self.paths:
            path.unlink(missing_ok=True)
        self.paths = []
