"""User-facing errors and the process exit codes that are part of the CLI's API."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ``perfconsole`` commands (the README's table and ``perfconsole run --help`` list them).

    Locust's own codes keep Locust's meaning: 1 (or N with ``--exit-code-on-error N``) when a request failed
    or a task raised, and whatever a ``quitting`` hook sets in ``environment.process_exit_code`` (only a
    failed save, 2, beats it). perfconsole's codes start at 10, clear of Locust's and locust-plugins' (3 is
    its failed check; perfconsole never uses 3).

    When several apply, the first in this order wins: USAGE (2), INTERRUPTED (130), THRESHOLD_FAILED (10),
    invalid measurement (12), Locust's errors rule (1 or N), REGRESSION (11), capacity (13).
    """

    OK = 0
    LOCUST_ERRORS = 1
    """Locust's default ``--exit-code-on-error``: a request failed or a task raised."""
    USAGE = 2
    THRESHOLD_FAILED = 10
    REGRESSION = 11
    INVALID = 12
    """Invalid measurement: the run, or a compared side, is stamped invalid (verdicts/validity.py)."""
    CAPACITY = 13
    """A capacity search's SLO capacity is below ``--require-capacity`` (or none was found)."""
    INTERRUPTED = 130


EXIT_CODES: tuple[tuple[str, str], ...] = (
    ("0", "ok"),
    ("1", "Locust's: a request failed or a task raised (N with --exit-code-on-error N)"),
    ("2", "usage or configuration error, nothing ran; or the results could not be saved"),
    ("3", "never used by perfconsole (locust-plugins' failed check)"),
    ("any", "a quitting hook's environment.process_exit_code (only a failed save, 2, beats it)"),
    ("10", "a perfconsole threshold failed (latency, error rate, throughput, resource limit, workers lost)"),
    ("11", "a regression against a baseline (--baseline, perfconsole compare)"),
    ("12", "invalid measurement (generator saturated, worker lost, dropped iterations, too few requests)"),
    ("13", "the capacity search's SLO capacity is below --require-capacity N req/s (or none was found)"),
    ("130", "interrupted (Ctrl-C, SIGTERM, SIGHUP); the results so far are written"),
)
"""The exit-code table (the README has the same rows), shown by ``perfconsole run --help``."""

EXIT_PRECEDENCE = "2, 130, 10, 12, Locust's errors rule (1 or N), 11, 13"


def exit_codes_help() -> str:
    rows = "\n".join(f"  {code:>4}  {meaning}" for code, meaning in EXIT_CODES)
    return f"Exit codes:\n{rows}\nWhen several apply, the first in this order wins: {EXIT_PRECEDENCE}."


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
