"""The live validity stamp on the status bar: the saved run's checks over what the session knows now."""

from __future__ import annotations

from perfconsole.config import Settings
from perfconsole.model.run import RunResult, RunSnapshot
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.verdicts.validity import ValidityRules, stamp


def live_validity(session: ConsoleSession, snapshot: RunSnapshot, settings: Settings) -> str:
    """``valid`` or ``invalid: <reasons>`` of the run so far. While users run, too few requests is not
    a reason yet (every run starts with none)."""
    monitor = session.monitor
    rules = ValidityRules(min_samples=0 if snapshot.state.is_active else settings.regression.min_samples)
    resources: dict[str, object] = {}
    if monitor is not None:
        rules = ValidityRules(saturation_pct=monitor.options.saturation_pct, min_samples=rules.min_samples)
        peaks = monitor.history.peaks()
        resources = {
            "series": monitor.history.series(),
            "peaks": {"generator_max_cpu_label": peaks.generator_max_cpu_label},
        }
    so_far = RunResult(
        final=snapshot,
        history=(),
        annotations=session.annotations,
        thresholds=(),
        interrupted=False,
        started_at=0.0,
        ended_at=0.0,
        scenario_path="",
        profile=None,
        resources=resources,
        warnings=session.warnings,
    )
    return stamp(so_far, rules).run.text


def invalid_field(validity: str, width: int) -> str:
    """The status bar's stamp: ``INVALID: generator lagging, worker lost``, each kind of reason once and
    cut to ``width`` (the full reasons are in the message line's warning and in the saved run), so that
    the bar keeps its figures on screen at 80 columns."""
    reasons = (reason.strip() for reason in validity.split(":", 1)[-1].split(";"))
    kinds = dict.fromkeys(reason.split(":", 1)[0] for reason in reasons if reason)
    field = "INVALID: " + ", ".join(kinds)
    return field if len(field) <= width else field[: max(1, width - 1)] + "…"
