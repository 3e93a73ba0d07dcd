"""Saving a session as a run snapshot: evaluated thresholds, Locust artifacts, atomic run directory.

Shared by headless runs (at the end, or when interrupted) and the console (at the end of each run, on
SIGTERM/SIGHUP, and on demand mid-run). Reading stats for a snapshot never resets them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from perfconsole.config import Settings
from perfconsole.engine import snapshots
from perfconsole.engine.artifacts import write_locust_artifacts
from perfconsole.engine.session import LoadSession
from perfconsole.model.run import RunResult
from perfconsole.verdicts import thresholds as threshold_rules
from perfconsole.verdicts.arrival import arrival_verdicts
from perfconsole.verdicts.per_rule import per_rule
from perfconsole.verdicts.soak import soak_verdict
from perfconsole.verdicts.validity import ValidityRules, stamp


def evaluated_result(session: LoadSession, settings: Settings, interrupted: bool = False) -> RunResult:
    """The session's result with latency and resource thresholds checked, its histograms (what a
    comparison's confidence intervals read) and its validity stamp."""
    result = session.result(interrupted=interrupted)
    rules = settings.thresholds_for(session.profile)
    checked = (
        per_rule(threshold_rules.evaluate(result.final, rules))
        + threshold_rules.errors_verdict(result.final, rules)
        + arrival_verdicts(result.arrival, rules.default)
        + snapshots.resource_thresholds(session)
    )
    result = replace(result, thresholds=checked, histograms=snapshots.encoded_histograms(session))
    return replace(
        result,
        validity=stamp(result, validity_rules(settings, session)),
        soak=soak_verdict(result, settings.soak),
    )


def validity_rules(settings: Settings, session: LoadSession) -> ValidityRules:
    """The stamp's rules: the monitor's saturation limit and the comparisons' minimum samples."""
    monitor = session.monitor
    rules = ValidityRules(min_samples=settings.regression.min_samples)
    return rules if monitor is None else replace(rules, saturation_pct=monitor.options.saturation_pct)


def save_session(
    session: LoadSession,
    settings: Settings,
    result: RunResult | None = None,
    *,
    interrupted: bool = False,
    name: str | None = None,
    note: str | None = None,
    kind: str = "final",
) -> Path:
    """Write the run directory (complete or absent) and return its path."""
    from perfconsole.application.capacity_page import write_capacity_page
    from perfconsole.store.capacity_codec import CAPACITY_FILE, capacity_json
    from perfconsole.store.endpoint_steps import STEPS_CSV
    from perfconsole.store.run_save import save_run
    from perfconsole.store.stages_codec import STAGES_CSV, stages_csv

    if result is None:
        result = evaluated_result(session, settings, interrupted)
    if not result.histograms:
        result = replace(result, histograms=snapshots.encoded_histograms(session))

    def artifacts(directory: Path) -> None:
        write_locust_artifacts(session, directory)
        if result.stages:
            (directory / STAGES_CSV).write_text(stages_csv(result.stages), encoding="utf-8")
        steps = session.sampler.history.steps
        if len(steps):
            (directory / STEPS_CSV).write_text(steps.csv_text(), encoding="utf-8")
        if result.capacity is not None:
            (directory / CAPACITY_FILE).write_text(capacity_json(result.capacity), encoding="utf-8")
            write_capacity_page(directory, result.capacity)  # capacity.html, a section in report.html

    return save_run(
        settings.runs_dir.resolve(), result, name=name, note=note, kind=kind, write_artifacts=artifacts
    )
