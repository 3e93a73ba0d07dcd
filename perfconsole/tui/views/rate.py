"""The arrival-rate mode's reading: the rate panel's lines and the status bar's fields, with the plain verdict
of what limits the run (``perfconsole.verdicts.arrival.rate_verdict``). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.model.arrival import ArrivalStatus
from perfconsole.model.run import HistoryPoint, RunSnapshot
from perfconsole.tui.formatting import fmt_ms, fmt_rate
from perfconsole.tui.text_layout import pack_fields
from perfconsole.verdicts.arrival import rate_verdict

TREND_S = 10
"""Latency rising and pool growing compare the last second with this many seconds before."""
RISE_FACTOR = 1.2
RISE_MIN_MS = 5.0


def latency_rising(history: Sequence[HistoryPoint]) -> bool:
    """The p95 now above ``RISE_FACTOR`` times (and ``RISE_MIN_MS`` over) its value ``TREND_S`` s ago."""
    if len(history) <= TREND_S:
        return False
    now, before = history[-1].p95_ms, history[-1 - TREND_S].p95_ms
    return (
        now is not None and before is not None and now > before * RISE_FACTOR and now - before > RISE_MIN_MS
    )


def pool_growing(history: Sequence[HistoryPoint]) -> bool:
    if len(history) <= TREND_S:
        return False
    return history[-1].user_count > history[-1 - TREND_S].user_count


def worker_cpu(snapshot: RunSnapshot) -> float | None:
    """The busiest worker's CPU (None in process: the console's own CPU is not the generator's alone)."""
    return max((w.cpu_percent for w in snapshot.workers), default=None)


def verdict(snapshot: RunSnapshot, history: Sequence[HistoryPoint]) -> tuple[str, str] | None:
    """(verdict, why), or None when no rate is on."""
    status = snapshot.arrival
    if status is None:
        return None
    return rate_verdict(status, worker_cpu(snapshot), latency_rising(history), pool_growing(history))


def _lag(status: ArrivalStatus) -> str:
    return f"{fmt_ms(status.start_lag_p95_ms)} ms"


def rate_status_fields(snapshot: RunSnapshot, reading: tuple[str, str] | None) -> list[str]:
    """The status bar's rate fields (none without a rate): target and achieved, and the verdict; the rate
    panel under it has the rest."""
    status = snapshot.arrival
    if status is None:
        return []
    fields = [f"rate {status.target_rate:g}/s got {fmt_rate(status.achieved_rate)}"]
    if reading is not None:
        fields.append(reading[0])
    return fields


KEYS_HINT = "[ ] -/+10%  R exact"


def rate_panel_lines(snapshot: RunSnapshot, reading: tuple[str, str] | None, width: int) -> list[str]:
    """The rate panel: target and the last 5 s (achieved, dropped/s, start lag p95), busy / pool / max
    users, the verdict and why; the dial's keys when they fit."""
    status = snapshot.arrival
    if status is None:
        return []
    figures = [
        f"RATE target {status.target_rate:g}/s",
        f"achieved {fmt_rate(status.achieved_rate)}/s",
        f"dropped {fmt_rate(status.dropped_rate)}/s",
        f"start lag p95 {_lag(status)}",
        f"busy/pool/max {status.busy}/{status.pool}/{status.max_users}",
    ]
    lines = pack_fields(figures, max(20, width), separator=" │ ")
    if reading is not None:
        line = f"{reading[0]}: {reading[1]}"
        hinted = f"{line}  ({KEYS_HINT}, last 5 s)"
        lines.append(hinted if len(hinted) <= width else line)
    return lines
