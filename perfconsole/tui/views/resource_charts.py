"""The resource panel's four charts: CPU, target RSS, DB pool and queue depth, annotations marked."""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation
from perfconsole.tui.chart import ChartData, chart_t_end, time_chart
from perfconsole.tui.formatting import MISSING
from perfconsole.tui.marks import annotation_mark

MB = 2**20


def resource_charts(
    samples: Sequence[ResourceSample],
    marks: Sequence[tuple[float, str]] = (),
    minimum_span_s: float = 30.0,
) -> tuple[ChartData, ChartData, ChartData, ChartData]:
    """CPU (busiest generator process and target), target RSS, DB pool in use vs size and queue depth.

    Titles stay short (a chart can be 18 columns wide at 80x24); the figures lines carry the detail.
    """
    times = [s.elapsed_s for s in samples]
    t_end = chart_t_end([*times, *(t for t, _ in marks)], minimum_span_s)
    generator = [s.generator_max_cpu_pct if s.generator_processes else None for s in samples]
    target_cpu = [s.target.cpu_pct if s.target is not None else None for s in samples]
    rss = [
        s.target.rss_bytes / MB if s.target is not None and s.target.rss_bytes is not None else None
        for s in samples
    ]
    pool_use = [s.metrics.get("db_pool_in_use") for s in samples]
    pool_size = [s.metrics.get("db_pool_size") for s in samples]
    queue = [s.metrics.get("queue_depth") for s in samples]

    def last(column: Sequence[float | None]) -> float | None:
        return next((v for v in reversed(column) if v is not None), None)

    def num(value: float | None, unit: str = "") -> str:
        return MISSING if value is None else f"{value:.0f}{unit}"

    return (
        time_chart(
            "CPU%",
            times,
            [("gen", generator), ("target", target_cpu)],
            marks,
            t_end,
            latest=f"gen{num(last(generator))} tgt{num(last(target_cpu))}",
            floor=100.0,
        ),
        time_chart("target RSS MB", times, [("RSS", rss)], marks, t_end, fill=True, latest=num(last(rss))),
        time_chart(
            "DB pool",
            times,
            [("in use", pool_use), ("size", pool_size)],
            marks,
            t_end,
            latest=f"{num(last(pool_use))}/{num(last(pool_size))}",
        ),
        time_chart(
            "queue depth", times, [("queue", queue)], marks, t_end, fill=True, latest=num(last(queue))
        ),
    )


def chart_marks(annotations: Sequence[Annotation]) -> list[tuple[float, str]]:
    """Annotation marks for the time axis (``!`` for warnings, the dashboard's letters otherwise)."""
    return [(a.elapsed_s, annotation_mark(a.kind)) for a in annotations]
