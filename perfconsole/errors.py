"""User-facing errors and the process exit codes that are part of the CLI's API."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ``perfconsole`` commands (documented in the README).

    When several apply, the lowest non-zero wins in this order: USAGE (2), INTERRUPTED (130),
    THRESHOLD_FAILED (1), REGRESSION (3).
    """

    OK = 0
    THRESHOLD_FAILED = 1
    USAGE = 2
    REGRESSION = 3
    INTERRUPTED = 130


class UserError(Exception):
    """A problem caused by the user's input: shown as one line, never as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())

    def __str__(self) -> str:
        return self.message


class ConfigError(UserError):
    """config.toml (or another settings source) is missing, unreadable or invalid."""


class ScenarioError(UserError):
    """A scenario/locustfile cannot be found or loaded."""


class StoreError(UserError):
    """A snapshot, baseline or run directory cannot be read or written."""
