"""The status bar's fields: run state, users, rates, time, workers, profile and stage, the view."""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.model.run import RunSnapshot
from perfconsole.tui.formatting import fmt_duration, fmt_pct, fmt_rate, fmt_spawn_rate


def view_label(use_current: bool, window_s: int = 10) -> str:
    return f"current {window_s}s window" if use_current else "whole run"


def failure_percent(snapshot: RunSnapshot, use_current: bool) -> float:
    """Failure share of requests in the chosen view, 0-100."""
    total = snapshot.total
    if use_current:
        return 100.0 * total.current_fail_per_sec / total.current_rps if total.current_rps else 0.0
    return 100.0 * total.fail_ratio


def status_fields(snapshot: RunSnapshot, use_current: bool, extra: Sequence[str] = ()) -> list[str]:
    """The status bar's fields, most important first; ``extra`` (the arrival rate's) after the rates."""
    total = snapshot.total
    rps = total.current_rps if use_current else total.total_rps
    fields = [
        snapshot.state.value.upper(),
        f"users {snapshot.user_count}/{snapshot.target_user_count} @{fmt_spawn_rate(snapshot.spawn_rate)}/s",
        f"req/s {fmt_rate(rps)}",
        f"fail {fmt_pct(failure_percent(snapshot, use_current))}",
        *extra,
        f"elapsed {fmt_duration(snapshot.elapsed_s)}",
        time_left(snapshot),
        worker_summary(snapshot),
    ]
    if snapshot.profile:
        fields.append(f"profile {snapshot.profile}")
    if snapshot.stage == "manual":  # the operator left the shape: no stages from here on
        fields.append("manual")
    elif snapshot.stage:
        fields.append(f"stage {snapshot.stage}")
    fields.append(f"view {view_label(use_current, snapshot.window_s)}")
    return fields


def time_left(snapshot: RunSnapshot) -> str:
    """Time left of a live run; once it ended, why."""
    if snapshot.end_reason and not snapshot.state.is_live:
        return f"ended: {snapshot.end_reason}"
    return "left " + ("until stopped" if snapshot.remaining_s is None else fmt_duration(snapshot.remaining_s))


def worker_summary(snapshot: RunSnapshot) -> str:
    if snapshot.expected_workers == 0 and not snapshot.workers:
        return "workers local"
    text = f"workers {snapshot.ready_worker_count}/{snapshot.expected_workers} ready"
    missing = max(snapshot.missing_worker_count, snapshot.expected_workers - len(snapshot.workers))
    if missing:
        text += f" {missing} missing"
    return text
