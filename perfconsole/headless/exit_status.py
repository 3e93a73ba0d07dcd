"""The exit code of a headless run and who set it (stated in the summary). Pure.

The order is the README's: a failed save (2) beats everything; then a ``quitting`` hook's
``environment.process_exit_code`` (as in Locust); then 130 interrupted, 10 a perfconsole threshold failed,
12 a comparison refused (the run or its baseline stamped invalid: an invalid measurement), Locust's errors
rule (1, or N with ``--exit-code-on-error N``; a load shape whose ``tick()`` raised counts as a task that
raised, and is never 0), 11 a regression, 13 a capacity search below ``--require-capacity``, else 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.errors import ExitCode
from perfconsole.model.run import RunResult
from perfconsole.verdicts.thresholds import ERRORS_METRIC


@dataclass(frozen=True)
class ExitStatus:
    code: int
    reason: str
    """Who or what set the code, e.g. "set by a quitting hook (environment.process_exit_code)"."""

    def line(self) -> str:
        return f"Exit code {self.code}: {self.reason}"


def exit_status(
    result: RunResult,
    *,
    regressed: bool = False,
    invalid: str | None = None,
    process_exit_code: int | None = None,
    exit_code_on_error: int = int(ExitCode.LOCUST_ERRORS),
    saved: bool = True,
    capacity_short: str | None = None,
) -> ExitStatus:
    """The run's exit code by the README's table (see the module docstring)."""
    if not saved:
        return ExitStatus(int(ExitCode.USAGE), "the results could not be saved")
    if process_exit_code is not None:
        return ExitStatus(
            process_exit_code, "set by a quitting hook (environment.process_exit_code), as in Locust"
        )
    if result.interrupted:
        return ExitStatus(int(ExitCode.INTERRUPTED), "interrupted")
    # a capacity search judges the thresholds per step (its SLO): the whole run, overloaded on purpose, is not
    failed = [] if result.capacity is not None else [t for t in result.thresholds if not t.passed]
    limits = [t for t in failed if t.metric != ERRORS_METRIC]
    if limits:
        what = ", ".join(dict.fromkeys(t.metric for t in limits))
        return ExitStatus(int(ExitCode.THRESHOLD_FAILED), f"a perfconsole threshold failed ({what})")
    if invalid:
        return ExitStatus(int(ExitCode.INVALID), f"invalid measurement ({invalid})")
    if result.end is not None and result.end.failed:  # the load shape raised: a failed run, as a task raising
        code = exit_code_on_error or int(ExitCode.LOCUST_ERRORS)
        return ExitStatus(code, f"the run ended on an error ({result.end.reason})")
    if len(limits) < len(failed):
        option = f"--exit-code-on-error {exit_code_on_error}"
        if exit_code_on_error == int(ExitCode.LOCUST_ERRORS):
            option = "Locust's default --exit-code-on-error"
        if exit_code_on_error or not regressed:
            return ExitStatus(exit_code_on_error, f"requests failed or tasks raised ({option})")
    if regressed:
        return ExitStatus(int(ExitCode.REGRESSION), "a regression against the baseline")
    if capacity_short:
        return ExitStatus(int(ExitCode.CAPACITY), capacity_short)
    met = " and every threshold was met" if result.thresholds else ""
    return ExitStatus(int(ExitCode.OK), f"the run completed{met}")
