"""What local workers print and log, and Locust's own warnings, brought to the operator.

Each local worker writes its stdout and its stderr to temporary files of its own (a worker never blocks on
a reader and never draws over the console); ``WorkerOutput.poll`` reads the new complete lines of each and
hands them to the ``OperatorLog`` as one batch per worker and stream. The log keeps the lines, prefixed with
their source (``[worker 1] ...``), for the console's log view and for ``workers.log`` in the run directory,
and passes each batch to its listeners (headless: the worker's stdout to stdout and its stderr to stderr,
one write per batch, as Locust's own ``--processes`` workers write to the terminal).
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 50_000
"""Lines kept for workers.log and the log view; past it the oldest go (and a marker says so)."""
MAX_LINE_CHARS = 2_000
WORKERS_LOG = "workers.log"
STREAMS = ("stdout", "stderr")


@dataclass(frozen=True)
class Batch:
    """Lines from one source and stream, in the order they were written."""

    source: str
    """``worker N``, ``locust``, ``sampler`` ..."""
    lines: tuple[str, ...]
    stream: str = "stderr"
    """Where the source wrote them: ``stdout`` (a worker's prints) or ``stderr`` (logs, warnings)."""


class OperatorLog:
    """Lines for the operator, oldest first: ``[worker N] ...`` and ``[locust] ...``."""

    def __init__(self, max_lines: int = MAX_LINES) -> None:
        self.max_lines = max_lines
        self._lines: deque[str] = deque(maxlen=max_lines)
        self.added = 0
        self.listeners: list[Callable[[Batch], None]] = []

    @property
    def dropped(self) -> int:
        return self.added - len(self._lines)

    def add(self, source: str, text: str, stream: str = "stderr") -> None:
        self.add_batch(Batch(source, (text,), stream))

    def add_batch(self, batch: Batch) -> None:
        """Keep the batch's lines (cut to :data:`MAX_LINE_CHARS`) and hand it to every listener."""
        lines = tuple(line.rstrip()[:MAX_LINE_CHARS] for line in batch.lines)
        if not lines:
            return
        self._lines.extend(f"[{batch.source}] {line}" for line in lines)
        self.added += len(lines)
        shown = Batch(batch.source, lines, batch.stream)
        for listener in list(self.listeners):
            listener(shown)

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def tail(self, count: int) -> list[str]:
        if count <= 0:
            return []
        start = max(0, len(self._lines) - count)
        return [self._lines[i] for i in range(start, len(self._lines))]

    def text(self) -> str:
        head = [f"[perfconsole] {self.dropped} older line(s) dropped"] if self.dropped else []
        return "".join(f"{line}\n" for line in (*head, *self._lines))

    def write(self, directory: Path) -> Path | None:
        """``workers.log`` in ``directory`` (a run's staging directory: saved atomically with the run)."""
        if not self._lines:
            return None
        path = directory / WORKERS_LOG
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.text())
            handle.flush()
            os.fsync(handle.fileno())
        return path


class _Tail:
    """One output file read incrementally: the new complete lines each time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""

    def read_lines(self, final: bool) -> list[str]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except OSError:
            return []
        self.offset += len(chunk)
        data = self.partial + chunk
        *complete, rest = data.split(b"\n")
        if final and rest:
            complete.append(rest)
            rest = b""
        self.partial = rest
        texts = (raw.decode("utf-8", errors="replace").rstrip("\r") for raw in complete)
        return [text for text in texts if text.strip()]


class WorkerOutput:
    """Temporary stdout and stderr files per local worker, read incrementally into an ``OperatorLog``."""

    def __init__(self, count: int, log: OperatorLog) -> None:
        self.log = log
        self._tails: list[dict[str, _Tail]] = []
        for index in range(count):
            files = {}
            for stream in STREAMS:
                fd, name = tempfile.mkstemp(
                    prefix=f"perfconsole-workers-{index + 1}-{stream}-", suffix=".log"
                )
                os.close(fd)
                files[stream] = _Tail(Path(name))
            self._tails.append(files)

    @property
    def paths(self) -> list[Path]:
        return [tail.path for files in self._tails for tail in files.values()]

    def files(self, index: int) -> tuple[Path, Path]:
        """The stdout and stderr files of worker ``index`` (from 0)."""
        files = self._tails[index]
        return files["stdout"].path, files["stderr"].path

    def poll(self, final: bool = False) -> int:
        """Hand the new complete lines of every worker to the log, one batch per worker and stream
        (``final``: the unfinished last lines too)."""
        added = 0
        for index, files in enumerate(self._tails):
            for stream, tail in files.items():
                lines = tail.read_lines(final)
                if lines:
                    self.log.add_batch(Batch(f"worker {index + 1}", tuple(lines), stream))
                    added += len(lines)
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
        self._tails = []
