"""``perfconsole run --headless``: one bounded run, progress on stderr, results on disk, an exit code.

Stdout carries data only: the summary table, or with ``--summary-json`` the JSON summary and nothing else.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import gevent

from perfconsole.application.recording import evaluated_result, save_session
from perfconsole.config import Settings
from perfconsole.engine.session import LoadSession, RunPlan
from perfconsole.errors import ExitCode, StoreError
from perfconsole.headless.summary import progress_line, summary_text
from perfconsole.model.run import RunResult, RunState
from perfconsole.store.redact import redact_url

if TYPE_CHECKING:
    from perfconsole.store.codec import LoadedRun
    from perfconsole.store.compare import Comparison

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


class _Interrupts:
    """SIGINT/SIGTERM/SIGHUP end the run gracefully (results still written); a second one hurries up."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self, on_second: Callable[[], None]) -> None:
        self.count = 0
        self.name = ""
        self._on_second = on_second
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        self.count += 1
        self.name = signal.Signals(signum).name
        if self.count >= 2:
            self._on_second()

    @property
    def interrupted(self) -> bool:
        return self.count > 0


def run_headless(options: HeadlessOptions) -> int:
    """Run the plan to its end (or an interrupt); write results; return the exit code."""
    err = options.stderr
    _check_storage(options)  # where results go is checked before anything runs
    baseline = _load_baseline(options)  # a missing or broken baseline is a usage error: nothing runs
    session = LoadSession(options.plan, options.settings)
    session.status_listeners.append(lambda line: print(f"perfconsole: {line}", file=err, flush=True))

    def hurry() -> None:
        print("perfconsole: second interrupt: stopping now", file=err, flush=True)
        session.close()
        os._exit(int(ExitCode.INTERRUPTED))

    with _Interrupts(hurry) as interrupts:
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
            if interrupts.interrupted:
                print(f"perfconsole: {interrupts.name}: stopping, writing results", file=err, flush=True)
                if session.state in (RunState.SPAWNING, RunState.RUNNING):
                    session.annotate(f"interrupted by {interrupts.name}", kind="warning")
            if options.note:
                session.annotate(options.note, kind="note")
            session.finish()
            result = evaluated_result(session, options.settings, interrupted=interrupts.interrupted)
            try:
                run_dir: Path | None = save_session(
                    session, options.settings, result, name=options.save_name, note=options.note
                )
            except StoreError as exc:  # e.g. the disk filled up during the run: still print the results
                print(f"perfconsole: error: results not saved: {exc}", file=err, flush=True)
                run_dir = None
            comparison = _compare(baseline, result, options) if baseline is not None else None
            return _report(session, result, run_dir, options, comparison)
        finally:
            session.close()


def _wait_for_end(session: LoadSession, interrupts: _Interrupts, options: HeadlessOptions) -> None:
    next_progress = time.monotonic() + options.progress_interval_s
    while session.state in (RunState.SPAWNING, RunState.RUNNING) and not interrupts.interrupted:
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
    from perfconsole.store.compare import RegressionRules, compare

    return compare(
        baseline,
        result,
        RegressionRules.from_settings(options.settings),
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
    code = exit_code(result, regressed=regressed) if run_dir is not None else int(ExitCode.USAGE)
    if options.json_output:
        from perfconsole.store.codec import summary_dict
        from perfconsole.store.compare import comparison_to_dict

        summary = summary_dict(result)
        summary["run_dir"] = str(run_dir) if run_dir is not None else None
        summary["exit_code"] = code
        summary["comparison"] = comparison_to_dict(comparison) if comparison is not None else None
        print(json.dumps(summary, indent=2, sort_keys=True), file=options.stdout, flush=True)
    else:
        from perfconsole.store.compare import render_table

        resources = session.monitor.summary_lines() if session.monitor is not None else []
        text = summary_text(result, str(run_dir) if run_dir is not None else None, resources)
        if comparison is not None:
            verdict = "REGRESSION" if regressed else "no regression"
            text += f"\n\nCompared with baseline {options.baseline}: {verdict}\n{render_table(comparison)}"
        print(text, file=options.stdout, flush=True)
    return code


def exit_code(result: RunResult, regressed: bool = False) -> int:
    """130 interrupted, else 1 for a failed threshold, else 3 for a regression, else 0."""
    if result.interrupted:
        return int(ExitCode.INTERRUPTED)
    if not result.thresholds_passed:
        return int(ExitCode.THRESHOLD_FAILED)
    if regressed:
        return int(ExitCode.REGRESSION)
    return int(ExitCode.OK)
