"""Stdout and stderr as the terminal may see them: secrets masked (as in saved files) and escape sequences
and control characters removed.

Endpoint names (``/api?token=...``), failure messages, URLs with passwords and Locust's own log lines all
reach the terminal or a CI log through these two streams; each complete line passes through
perfconsole.store.redact and perfconsole.model.terminal_text before it is written (a partial line waits
for its end or a flush).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from perfconsole.model.terminal_text import safe_text
from perfconsole.store.redact import redact_text


def shown(text: str) -> str:
    """What a terminal line shows of ``text``: no escape sequence, no control character, no secret."""
    return redact_text(safe_text(text))


class RedactingStream:
    """Wraps a text stream: ``write`` cleans line by line; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self.wrapped.write(shown(complete + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.wrapped.write(shown(self._pending))
            self._pending = ""
        self.wrapped.flush()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def redact_std_streams() -> tuple[TextIO, TextIO]:
    """Replace ``sys.stdout``/``sys.stderr`` with cleaning wrappers; return the originals."""
    import sys

    original = (sys.stdout, sys.stderr)
    sys.stdout = RedactingStream(sys.stdout)
    sys.stderr = RedactingStream(sys.stderr)
    return original


@contextmanager
def shown_std_streams() -> Iterator[None]:
    """``sys.stdout``/``sys.stderr`` cleaned for the duration (flushed and restored after)."""
    import sys

    original = redact_std_streams()
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = original
