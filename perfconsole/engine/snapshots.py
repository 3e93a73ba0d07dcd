"""What a load session shows and saves: the live snapshot and the run's result (plain model data)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from perfconsole.engine import stats_view
from perfconsole.model.run import RunResult, RunSnapshot
from perfconsole.verdicts.resources import resource_verdicts

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession
    from perfconsole.model.run import ThresholdResult
    from perfconsole.model.stages import StageStats


def build_snapshot(session: LoadSession) -> RunSnapshot:
    """The live state now (cheap; never resets Locust's stats)."""
    runner = session.runner
    if runner is None:
        return RunSnapshot(
            state=session.state,
            elapsed_s=0.0,
            user_count=0,
            target_user_count=0,
            spawn_rate=0.0,
            host=session.host,
            endpoints=(),
            total=stats_view.empty_total(),
            timestamp=time.time(),
        )
    if session.hdr is not None:
        session.hdr.flush()
    endpoints, total = stats_view.all_endpoints(runner.stats, session.hdr)
    control = session.control
    target = control.user_target
    shaped = control.shapes.shape is not None
    return RunSnapshot(
        state=session.state,
        elapsed_s=session.elapsed_s,
        user_count=runner.user_count,
        # a shape sets its own targets through the runner
        target_user_count=runner.target_user_count if shaped else target.users,
        spawn_rate=float(getattr(runner, "spawn_rate", 0) or 0) if shaped else target.spawn_rate,
        host=session.host,
        endpoints=endpoints,
        total=total,
        errors=stats_view.errors(runner.stats),
        exceptions=stats_view.exceptions(runner),
        workers=stats_view.workers(runner),
        expected_workers=session.worker_count,
        duration_s=session.control.deadline.duration_s or session.control.shape_end.ends_at_s,
        profile=session.profile.name if session.profile else None,
        stage=control.rate.stage_label() if control.rate.active else control.shapes.stage_label(),
        end_reason=session.run_end.end.reason if session.run_end.end is not None else None,
        timestamp=time.time(),
        arrival=control.rate.status(),
        window_s=session.settings.window_s,
    )


def build_result(
    session: LoadSession, interrupted: bool, final: RunSnapshot, stages: tuple[StageStats, ...]
) -> RunResult:
    """The run as it is saved: the final snapshot, its time series, annotations, settings and resources."""
    plan = session.plan
    monitor = session.monitor
    max_users = session.control.user_target.max_users
    settings: dict[str, object] = {
        "users": max_users or plan.users or (session.profile.users if session.profile else 0),
        "spawn_rate": plan.spawn_rate or (session.profile.spawn_rate if session.profile else 0.0),
        "duration_s": session.control.deadline.duration_s or 0.0,
        "workers": session.worker_count,
        "tags": list(plan.tags),
        "exclude_tags": list(plan.exclude_tags),
        "user_classes": list(plan.user_classes),
        "demo_target": session.demo_target is not None,
        **(session.profile.mix.to_dict() if session.profile else {}),
    }
    return RunResult(
        final=final,
        history=session.history,
        annotations=session.annotations,
        thresholds=(),
        interrupted=interrupted,
        started_at=session.clock.started_at,
        ended_at=session.clock.ended_at or time.time(),
        scenario_path=str(plan.scenario_path),
        profile=session.profile.name if session.profile else None,
        settings=settings,
        host=session.host,
        worker_count=session.worker_count,
        command_line=plan.command_line,
        resources={} if monitor is None else monitor.to_dict(resource_verdicts(monitor)),
        warnings=session.warnings,
        stages=stages,
        arrival=session.control.rate.run_figures(),
        blocks=session.hdr.aggregator.blocks.blocks() if session.hdr is not None else (),
        end=session.run_end.end,
        capacity=session.search.result(),
    )


def encoded_histograms(session: LoadSession) -> dict[str, str]:
    """The whole run's histograms in HdrHistogram's standard encoding (for saving; a few ms each)."""
    return session.hdr.encoded() if session.hdr is not None else {}


def resource_thresholds(session: LoadSession) -> tuple[ThresholdResult, ...]:
    """Resource limits, and a failed ``workers lost`` check while a lost worker is away."""
    checked = resource_verdicts(session.monitor) if session.monitor is not None else ()
    return checked + session.worker_watch.thresholds()
