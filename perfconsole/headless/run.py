"""``perfconsole run --headless``: one bounded run, progress on stderr, results on disk, an exit code.

Stdout carries data only: the summary table, or with ``--summary-json`` the JSON summary and nothing else.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import gevent

from perfconsole.application.interrupts import Interrupts
from perfconsole.application.recording import evaluated_result, save_session
from perfconsole.application.sweep import sweep_leftovers
from perfconsole.config import Settings
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.errors import ExitCode
from perfconsole.headless.exit_status import exit_status
from perfconsole.headless.shutdown import SAVE_WAIT_S, SaveGuard, hurry, save_or_report, started
from perfconsole.headless.summary import progress_line, summary_text
from perfconsole.model.run import RunResult
from perfconsole.store.redact import redact_url

if TYPE_CHECKING:
    from perfconsole.store.loaded_run import LoadedRun
    from perfconsole.verdicts.regression import Comparison

PROGRESS_INTERVAL_S = 2.0


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
    """Locust's ``--exit-code-on-error``: the exit code when failed requests or task exceptions are all that
    failed the run."""


def run_headless(options: HeadlessOptions) -> int:
    """Run the plan to its end (or an interrupt); write results; return the exit code."""
    err = options.stderr
    interrupts = options.interrupts or Interrupts()
    with interrupts:
        if interrupts.interrupted:
            print(f"perfconsole: {interrupts.name} before the run: nothing ran", file=err, flush=True)
            return int(ExitCode.INTERRUPTED)
        _check_storage(options)  # where results go is checked before anything runs
        for line in sweep_leftovers(options.settings.runs_dir.resolve()):
            print(f"perfconsole: {line}", file=err, flush=True)
        baseline = _load_baseline(options)  # a missing or broken baseline is a usage error: nothing runs
        session = LoadSession(options.plan, options.settings)
        session.status_listeners.append(lambda line: print(f"perfconsole: {line}", file=err, flush=True))
        session.output_log.listeners.append(lambda line: print(line, file=err, flush=True))
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
                err,
            )
            guard.finished(run_dir)
            if warning:  # the hurried path prints what it saved; the main path compares first
                _report(session, result, run_dir, options, None)
            return result, run_dir

        interrupts.on_second = lambda: hurry(session, interrupts, guard, save, err)
        interrupts.on_first = lambda: None if started(session) else interrupts.hurry()
        try:
            print(f"perfconsole: preparing {options.plan.scenario_path.name}...", file=err, flush=True)
            session.prepare()
            where = "in-process" if session.worker_count == 0 else f"{session.worker_count} worker(s)"
            demo = " (embedded demo target)" if session.demo_target else ""
            target = redact_url(session.host)
            print(f"perfconsole: target {target}{demo}, {where}", file=err, flush=True)
            if not interrupts.interrupted:
                session.start()
                _wait_for_end(session, interrupts, options)
            if interrupts.interrupted and not started(session):
                print(f"perfconsole: {interrupts.name} while preparing: nothing ran", file=err, flush=True)
                return int(ExitCode.INTERRUPTED)
            if interrupts.interrupted:
                print(f"perfconsole: {interrupts.name}: stopping, writing results", file=err, flush=True)
                if session.state.is_live:
                    session.annotate(f"interrupted by {interrupts.name}", kind="warning")
            session.finish()
            if not guard.claim("main"):  # a second signal is saving: it ends the process
                guard.wait(SAVE_WAIT_S)
                return int(ExitCode.INTERRUPTED)
            result, run_dir = save(None)
            comparison = _compare(baseline, result, options) if baseline is not None else None
            code = _report(session, result, run_dir, options, comparison)
            session.fire_quit(code)
            return code
        finally:
            session.close()


def _wait_for_end(session: LoadSession, interrupts: Interrupts, options: HeadlessOptions) -> None:
    next_progress = time.monotonic() + options.progress_interval_s
    while session.state.is_live and not interrupts.interrupted:
        gevent.sleep(0.2)
        if time.monotonic() >= next_progress:
            print(progress_line(session.snapshot()), file=options.stderr, flush=True)
            next_progress += options.progress_interval_s


def _check_storage(options: HeadlessOptions) -> None:
    from perfconsole.store.names import validate_name
    from perfconsole.store.runs import check_runs_dir

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
    status = exit_status(
        result,
        regressed=regressed,
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
        print(f"perfconsole: wrote {path}", file=options.stderr, flush=True)
    locust_json = bool(getattr(locust_options, "json", False))
    if options.json_output:
        from perfconsole.application.comparison_report import comparison_to_dict
        from perfconsole.headless.summary_json import summary_dict

        summary = summary_dict(result)
        summary["run_dir"] = str(run_dir) if run_dir is not None else None
        summary["exit_code"] = code
        summary["exit_reason"] = status.reason
        summary["comparison"] = comparison_to_dict(comparison) if comparison is not None else None
        print(json.dumps(summary, indent=2, sort_keys=True), file=options.stdout, flush=True)
    else:
        from perfconsole.application.comparison_report import render_table

        resources = session.monitor.summary_lines() if session.monitor is not None else []
        tables = locust_tables(session.runner.stats) if session.runner is not None else None
        text = summary_text(result, str(run_dir) if run_dir is not None else None, resources, tables)
        if comparison is not None:
            verdict = "REGRESSION" if regressed else "no regression"
            text += f"\n\nCompared with baseline {options.baseline}: {verdict}\n{render_table(comparison)}"
        text += f"\n{status.line()}"
        # with Locust's --json, stdout is Locust's JSON document only (as with `locust --headless --json`)
        print(text, file=options.stderr if locust_json else options.stdout, flush=True)
        if locust_json and session.runner is not None:
            print_locust_json(session.runner.stats, options.stdout)
    json_file = write_json_file(session, locust_options)  # last: Locust's serializing resets the stats
    if json_file is not None:
        print(f"perfconsole: wrote {json_file}", file=options.stderr, flush=True)
    return code
