"""The dashboard's four charts over the whole run (throughput, failures, users, latency)."""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.model.run import Annotation, HistoryPoint
from perfconsole.tui.chart import ChartData, build_charts, chart_t_end
from perfconsole.tui.marks import annotation_mark


def dashboard_charts(
    history: Sequence[HistoryPoint], annotations: Sequence[Annotation], minimum_span_s: float = 30.0
) -> tuple[ChartData, ChartData, ChartData, ChartData]:
    """The four dashboard charts over the whole run, annotations marked on the time axis."""
    times = [p.elapsed_s for p in history]
    t_end = chart_t_end([*times, *(a.elapsed_s for a in annotations)], minimum_span_s)
    return build_charts(
        times,
        [p.rps for p in history],
        [p.fail_per_sec for p in history],
        [float(p.user_count) for p in history],
        [p.p50_ms for p in history],
        [p.p95_ms for p in history],
        [p.p99_ms for p in history],
        [(a.elapsed_s, annotation_mark(a.kind)) for a in annotations],
        t_end,
    )
