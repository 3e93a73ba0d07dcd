"""Spike drills: the plan of a drill and the pure recovery verdict computed from the run's history."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from perfconsole.model.run import HistoryPoint

PRE_WINDOW_S = 15.0
"""Seconds of history before the spike that define the level to return to."""
SUSTAIN_SAMPLES = 3
"""Consecutive samples that must be back at the pre-spike level to count as recovered."""
P95_TOLERANCE = 1.2
P95_SLACK_MS = 5.0
ERROR_RATE_SLACK = 0.005


@dataclass(frozen=True, slots=True)
class RecoveryVerdict:
    recovered: bool
    recovery_s: float | None
    """Seconds from the end of the spike until p95 and error rate were back (None: not recovered)."""
    pre_p95_ms: float | None
    pre_error_rate: float
    peak_p95_ms: float | None
    peak_error_rate: float
    text: str


def _error_rate(point: HistoryPoint) -> float:
    return point.fail_per_sec / point.rps if point.rps > 0 else 0.0


def assess_recovery(
    history: tuple[HistoryPoint, ...] | list[HistoryPoint],
    spike_start_s: float,
    spike_end_s: float,
    now_s: float,
    observe_s: float = 60.0,
) -> RecoveryVerdict | None:
    """Verdict for a drill; None while it is too early to tell (still within the observation window)."""
    before = [p for p in history if spike_start_s - PRE_WINDOW_S <= p.elapsed_s < spike_start_s]
    during = [p for p in history if spike_start_s <= p.elapsed_s <= spike_end_s]
    after = [p for p in history if p.elapsed_s > spike_end_s]
    p95s = [p.p95_ms for p in before if p.p95_ms is not None]
    pre_p95 = fmean(p95s) if p95s else None
    pre_err = fmean(_error_rate(p) for p in before) if before else 0.0
    peak_p95 = max((p.p95_ms for p in during + after if p.p95_ms is not None), default=None)
    peak_err = max((_error_rate(p) for p in during + after), default=0.0)
    p95_limit = None if pre_p95 is None else pre_p95 * P95_TOLERANCE + P95_SLACK_MS

    def back(point: HistoryPoint) -> bool:
        p95_ok = p95_limit is None or point.p95_ms is None or point.p95_ms <= p95_limit
        return p95_ok and _error_rate(point) <= pre_err + ERROR_RATE_SLACK

    streak = 0
    for index, point in enumerate(after):
        streak = streak + 1 if back(point) else 0
        if streak >= SUSTAIN_SAMPLES:
            first = after[index - SUSTAIN_SAMPLES + 1]
            recovery = max(0.0, first.elapsed_s - spike_end_s)
            return RecoveryVerdict(
                True,
                recovery,
                pre_p95,
                pre_err,
                peak_p95,
                peak_err,
                f"recovered {recovery:.0f}s after the spike: p95 {_ms(first.p95_ms)} "
                f"(before {_ms(pre_p95)}, peak {_ms(peak_p95)}), errors {_error_rate(first):.1%} "
                f"(before {pre_err:.1%}, peak {peak_err:.1%})",
            )
    if now_s - spike_end_s < observe_s:
        return None
    return RecoveryVerdict(
        False,
        None,
        pre_p95,
        pre_err,
        peak_p95,
        peak_err,
        f"NOT recovered {now_s - spike_end_s:.0f}s after the spike: p95 before {_ms(pre_p95)}, "
        f"peak {_ms(peak_p95)}; errors before {pre_err:.1%}, peak {peak_err:.1%}",
    )


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"
