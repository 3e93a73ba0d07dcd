"""Stdout and stderr of a headless run with secrets masked, as they are in saved files.

Endpoint names (``/api?token=...``), failure messages, URLs with passwords and Locust's own log lines all
reach the terminal or a CI log through these two streams; each complete line passes through
perfconsole.store.redact before it is written (a partial line waits for its end or a flush).
"""

from __future__ import annotations

from typing import Any, TextIO

from perfconsole.store.redact import redact_text


class RedactingStream:
    """Wraps a text stream: ``write`` redacts line by line; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self.wrapped.write(redact_text(complete + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.wrapped.write(redact_text(self._pending))
            self._pending = ""
        self.wrapped.flush()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def redact_std_streams() -> tuple[TextIO, TextIO]:
    """Replace ``sys.stdout``/``sys.stderr`` with redacting wrappers; return the originals."""
    import sys

    original = (sys.stdout, sys.stderr)
    sys.stdout = RedactingStream(sys.stdout)
    sys.stderr = RedactingStream(sys.stderr)
    return original
