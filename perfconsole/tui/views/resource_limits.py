"""The resource limits, live: each configured limit against the latest sample and the run's peak."""

from __future__ import annotations

from dataclasses import dataclass

from perfconsole.tui.marks import BREACH_MARK, OK_MARK, PAST_BREACH_MARK
from perfconsole.tui.text_layout import HEAD_WIDTH, Line, fit_line, pack_spans
from perfconsole.tui.views.resource_state import ResourceState


@dataclass(frozen=True, slots=True)
class LimitMark:
    """One resource limit against the latest sample (live) and the run's peak (what the verdict uses)."""

    metric: str
    """``target_cpu_pct``, ``memory_pct``, ``db_pool_pct`` or ``queue_depth`` (perfconsole.resources)."""
    short: str
    name: str
    limit: float
    now: float | None
    peak: float | None
    unit: str

    @property
    def broken_now(self) -> bool:
        return self.now is not None and self.now >= self.limit

    @property
    def broken_earlier(self) -> bool:
        return self.peak is not None and self.peak >= self.limit

    @property
    def symbol(self) -> str:
        if self.broken_now:
            return BREACH_MARK
        if self.broken_earlier:
            return PAST_BREACH_MARK
        return OK_MARK if self.now is not None or self.peak is not None else "·"

    @property
    def role(self) -> str:
        if self.broken_now:
            return "bad"
        if self.broken_earlier:
            return "warn"
        return "ok" if self.now is not None or self.peak is not None else "dim"

    def text(self, long: bool = False) -> str:
        def value(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.0f}{self.unit}"

        label = self.name if long else self.short
        text = f"{self.symbol} {label} {value(self.now)} <{self.limit:g}{self.unit}"
        if self.broken_earlier and not self.broken_now:
            text += f" peak {value(self.peak)}"
        return text


def limit_marks(state: ResourceState) -> list[LimitMark]:
    """One mark per configured limit: target CPU (peak: sustained), memory, DB pool and queue depth."""
    sample, peaks, limits = state.sample, state.peaks, state.limits
    now_target_cpu = sample.target.cpu_pct if sample is not None and sample.target is not None else None
    rows: list[tuple[str, str, str, float | None, float | None, float | None, str]] = [
        (
            "target_cpu_pct",
            "cpu",
            "target CPU",
            limits.target_cpu_pct,
            now_target_cpu,
            peaks.target_cpu_sustained_pct if peaks else None,
            "%",
        ),
        (
            "memory_pct",
            "mem",
            "memory",
            limits.memory_pct,
            sample.system.memory_pct if sample is not None else None,
            peaks.memory_pct if peaks else None,
            "%",
        ),
        (
            "db_pool_pct",
            "pool",
            "DB pool",
            limits.db_pool_pct,
            sample.db_pool_pct if sample is not None else None,
            peaks.db_pool_pct if peaks else None,
            "%",
        ),
        (
            "queue_depth",
            "queue",
            "queue depth",
            limits.queue_depth,
            sample.metrics.get("queue_depth") if sample is not None else None,
            peaks.metrics.get("queue_depth") if peaks else None,
            "",
        ),
    ]
    return [
        LimitMark(metric, short, name, limit, now, peak, unit)
        for metric, short, name, limit, now, peak, unit in rows
        if limit is not None
    ]


def limit_lines(state: ResourceState, width: int, long: bool = False) -> list[Line]:
    marks = limit_marks(state)
    if not marks:
        return [fit_line([("limits".ljust(HEAD_WIDTH), "head"), ("none configured", "dim")], width)]
    return pack_spans("limits", [[(mark.text(long), mark.role)] for mark in marks], width)
