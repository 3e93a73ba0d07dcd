"""``perfconsole run --headless``: one bounded run, progress on stderr, results on disk, an exit code.

Stdout carries the summary table and what workers print (as Locust's); with ``--summary-json`` (or Locust's
``--json``) the JSON document and nothing else. ``perfconsole.headless.output`` writes all of it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import gevent

from perfconsole.application.interrupts import Interrupts
from perfconsole.application.recording import evaluated_result, save_session
from perfconsole.application.sweep import sweep_leftovers
from perfconsole.config import Search, Settings
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.errors import ExitCode
from perfconsole.headless.exit_status import exit_status
from perfconsole.headless.output import HeadlessOutput
from perfconsole.headless.shutdown import SAVE_WAIT_S, SaveGuard, hurry, save_or_report, started
from perfconsole.headless.summary import progress_line, summary_text
from perfconsole.model.capacity import CapacityResult, SearchMode, SearchState
from perfconsole.model.run import RunResult
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.store.redact import redact_url

if TYPE_CHECKING:
    from perfconsole.store.loaded_run import LoadedRun
    from perfconsole.verdicts.regression import Comparison

PROGRESS_INTERVAL_S = 2.0
LOCUST_MAIN_LOG = logging.getLogger("locust.main")
"""Locust's start and stop lines ("Starting Locust 2.x", "Shutting down (exit code N)"), as ``locust`` logs
them."""


@dataclass
class HeadlessOptions:
    plan: RunPlan
    settings: Settings
    json_output: bool = False
    save_name: str | None = None
    note: str | None = None
    baseline: str | None = None
    progress_interval_s: float = PROGRESS_INTERVAL_S
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    interrupts: Interrupts | None = None
    """Signal handling installed early by the CLI (a signal while importing is seen); None: here."""
    exit_code_on_error: int = 1
    search: tuple[SearchMode, Search] | None = None
    """``--find-capacity``: a capacity search from the run's start; it ends the run with its answer."""
    require_capacity: float | None = None
    """``--require-capacity N``: exit 13 when the search's SLO capacity is below N req/s."""
    """Locust's ``--exit-code-on-error``: the exit code when failed requests or task exceptions are all that
    failed the run."""
    out: HeadlessOutput = field(init=False)
    """The terminal: everything this run writes to stdout and stderr goes through it."""

    def __post_init__(self) -> None:
        locust_json = bool(getattr(self.plan.parsed_options, "json", False))
        self.out = HeadlessOutput(self.stdout, self.stderr, data_only=self.json_output or locust_json)


def run_headless(options: HeadlessOptions) -> int:
    """Run the plan to its end (or an interrupt); write results; return the exit code."""
    out = options.out
    interrupts = options.interrupts or Interrupts()
    with interrupts, out.run():
        if interrupts.interrupted:
            out.status(f"{interrupts.name} before the run: nothing ran")
            return int(ExitCode.INTERRUPTED)
        _check_storage(options)  # where results go is checked before anything runs
        for line in sweep_leftovers(options.settings.runs_dir.resolve()):
            out.status(line)
        baseline = _load_baseline(options)  # a missing or broken baseline is a usage error: nothing runs
        session = LoadSession(options.plan, options.settings)
        session.status_listeners.append(out.status)
        session.output_log.listeners.append(out.relay)
        guard = SaveGuard()

        def save(warning: str | None) -> tuple[RunResult, Path | None]:
            if warning:
                session.annotate(warning, kind="warning")
            if options.note and not any(a.kind == "note" for a in session.annotations):
                session.annotate(options.note, kind="note")
            result = evaluated_result(session, options.settings, interrupted=interrupts.interrupted)
            run_dir = save_or_report(
                lambda: save_session(
                    session, options.settings, result, name=options.save_name, note=options.note
                ),
                out,
            )
            guard.finished(run_dir)
            if warning:  # the hurried path prints what it saved; the main path compares first
                _report(session, result, run_dir, options, None)
            return result, run_dir

        interrupts.on_second = lambda: hurry(session, interrupts, guard, save, out)
        interrupts.on_first = lambda: None if started(session) else interrupts.hurry()
        try:
            out.status(f"preparing {options.plan.scenario_path.name}...")
            LOCUST_MAIN_LOG.info(f"Starting Locust {version('locust')}")
            session.prepare()
            where = "in-process" if session.worker_count == 0 else f"{session.worker_count} worker(s)"
            demo = " (embedded demo target)" if session.demo_target else ""
            target = redact_url(session.host)
            out.status(f"target {target}{demo}, {where}")
            if not interrupts.interrupted:
                session.start()
                if options.search is not None:
                    session.search.listeners.append(lambda found: _step_line(found, out))
                    session.search.start(*options.search, end_run=True)
                _log_run_time(options.plan)
                _wait_for_end(session, interrupts, options)
                _log_planned_end(session.run_end.end)
            if interrupts.interrupted and not started(session):
                out.status(f"{interrupts.name} while preparing: nothing ran")
                return int(ExitCode.INTERRUPTED)
            if interrupts.interrupted:
                out.status(f"{interrupts.name}: stopping, writing results")
                if session.state.is_live:
                    session.annotate(f"interrupted by {interrupts.name}", kind="warning")
            session.finish()
            if not guard.claim("main"):  # a second signal is saving: it ends the process
                guard.wait(SAVE_WAIT_S)
                return int(ExitCode.INTERRUPTED)
            result, run_dir = save(None)
            comparison = _compare(baseline, result, options) if baseline is not None else None
            code = _report(session, result, run_dir, options, comparison)
            LOCUST_MAIN_LOG.info(f"Shutting down (exit code {code})")
            session.fire_quit(code)
            return code
        finally:
            session.close()


def _step_line(found: CapacityResult, out: HeadlessOutput) -> None:
    """Each step's line on stderr as it is judged (``step 6: 240/s -> 238 req/s, p95 180 ms ✓``)."""
    if found.state is SearchState.RUNNING and found.steps:
        out.status(found.steps[-1].line(found.mode.unit))
    elif found.state is not SearchState.RUNNING:
        out.status(f"capacity search {found.state}: {found.answer}")


def _log_run_time(plan: RunPlan) -> None:
    """Locust's line for ``-t`` (a profile's duration is perfconsole's: not Locust's line)."""
    if plan.duration_s and getattr(plan.parsed_options, "run_time", None):
        LOCUST_MAIN_LOG.info(f"Run time limit set to {int(plan.duration_s)} seconds")


def _log_planned_end(end: RunEnd | None) -> None:
    """Locust's line when its run time or its shape ends a headless run."""
    if end is not None and end.kind is EndKind.DURATION:
        LOCUST_MAIN_LOG.info("--run-time limit reached, shutting down")
    elif end is not None and end.kind is EndKind.SHAPE:
        LOCUST_MAIN_LOG.info("Shape test completed, shutting down")


def _wait_for_end(session: LoadSession, interrupts: Interrupts, options: HeadlessOptions) -> None:
    next_progress = time.monotonic() + options.progress_interval_s
    while session.state.is_live and not interrupts.interrupted:
        gevent.sleep(0.2)
        if time.monotonic() >= next_progress:
            options.out.line(progress_line(session.snapshot()))
            next_progress += options.progress_interval_s


def _check_storage(options: HeadlessOptions) -> None:
    from perfconsole.store.names import validate_name
    from perfconsole.store.run_save import check_runs_dir

    if options.save_name is not None:
        validate_name(options.save_name, "--save name")
    check_runs_dir(options.settings.runs_dir.resolve())


def _load_baseline(options: HeadlessOptions) -> LoadedRun | None:
    if not options.baseline:
        return None
    from perfconsole.store.baselines import resolve

    return resolve(options.settings.runs_dir.resolve(), options.baseline)


def _compare(baseline: LoadedRun, result: RunResult, options: HeadlessOptions) -> Comparison:
    from perfconsole.verdicts.regression import compare

    return compare(
        baseline,
        result,
        options.settings.regression,
        baseline_label=options.baseline,
        current_label="this run",
    )


def _report(
    session: LoadSession,
    result: RunResult,
    run_dir: Path | None,
    options: HeadlessOptions,
    comparison: Comparison | None,
) -> int:
    regressed = comparison is not None and comparison.regressed
    # the stamp sets the exit code where it refuses a verdict (--baseline); alone, a run exits as Locust's
    invalid = list(comparison.refused) if comparison is not None else []
    capacity_short = None
    if options.require_capacity is not None:
        from perfconsole.verdicts.capacity_search import capacity_shortfall

        capacity_short = capacity_shortfall(result.capacity, options.require_capacity)
    status = exit_status(
        result,
        capacity_short=capacity_short,
        regressed=regressed,
        invalid="; ".join(dict.fromkeys(invalid)) or None,
        process_exit_code=session.process_exit_code,
        exit_code_on_error=options.exit_code_on_error,
        saved=run_dir is not None,
    )
    code = status.code
    from perfconsole.headless.locust_output import (
        locust_tables,
        print_locust_json,
        write_json_file,
        write_requested_files,
    )

    locust_options = options.plan.parsed_options
    for path in write_requested_files(session, locust_options):  # --csv, --html
        options.out.status(f"wrote {path}")
    locust_json = bool(getattr(locust_options, "json", False))
    if options.json_output:
        from perfconsole.application.comparison_report import comparison_to_dict
        from perfconsole.headless.summary_json import summary_dict

        summary = summary_dict(result)
        summary["run_dir"] = str(run_dir) if run_dir is not None else None
        summary["exit_code"] = code
        summary["exit_reason"] = status.reason
        summary["comparison"] = comparison_to_dict(comparison) if comparison is not None else None
        options.out.data(json.dumps(summary, indent=2, sort_keys=True))
    else:
        from perfconsole.application.comparison_report import render_table

        resources = session.monitor.summary_lines() if session.monitor is not None else []
        tables = locust_tables(session.runner.stats) if session.runner is not None else None
        text = summary_text(result, str(run_dir) if run_dir is not None else None, resources, tables)
        if result.capacity is not None:
            from perfconsole.application.capacity_report import capacity_lines

            text += "\n\n" + "\n".join(capacity_lines(result.capacity))
        if comparison is not None:
            verdict = "REGRESSION" if regressed else "no regression"
            verdict = "NOT JUDGED (invalid measurement)" if comparison.refused else verdict
            text += f"\n\nCompared with baseline {options.baseline}: {verdict}\n{render_table(comparison)}"
        text += f"\n{status.line()}"
        # with Locust's --json, stdout is Locust's JSON document only (as with `locust --headless --json`)
        if locust_json:
            options.out.line(text)
        else:
            options.out.data(text)
        if locust_json and session.runner is not None:
            print_locust_json(session.runner.stats, options.stdout)
    json_file = write_json_file(session, locust_options)  # last: Locust's serializing resets the stats
    if json_file is not None:
        options.out.status(f"wrote {json_file}")
    return code
