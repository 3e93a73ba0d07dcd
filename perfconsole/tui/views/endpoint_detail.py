"""One endpoint in focus (pure): its percentile ladder, its charts, its failures and its figures per stage.

The ladder puts side by side the current window, the whole run as measured, the whole run corrected for
coordinated omission (where users were paced; else ``-``) and, with a baseline chosen, the baseline's
whole-run figure and the change against it.
"""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import AGGREGATED, Annotation, EndpointStats, ErrorStats, RunSnapshot
from perfconsole.model.stages import StageStats
from perfconsole.tui.chart import ChartData, chart_t_end, time_chart
from perfconsole.tui.formatting import MISSING, fmt_ms, fmt_rate
from perfconsole.tui.marks import annotation_mark
from perfconsole.tui.views.endpoint_history import EndpointSeries

LADDER = ("p50", "p90", "p95", "p99", "p99.9", "max")
LADDER_HEADERS = ("", "window", "measured", "corrected")
BASELINE_HEADERS = ("baseline", "Δ")


def find_endpoint(snapshot: RunSnapshot, key: str) -> EndpointStats | None:
    """The endpoint (or the total, ``Aggregated``) with table row key ``key``."""
    if key == AGGREGATED:
        return snapshot.total
    return next((e for e in snapshot.endpoints if e.key == key), None)


def whole_run(endpoint: EndpointStats) -> Percentiles:
    """Whole-run percentiles with the exact max (the cumulative ladder has none of its own)."""
    cumulative = endpoint.cumulative
    if cumulative.max is not None or not endpoint.num_requests:
        return cumulative
    return Percentiles(
        cumulative.p50, cumulative.p90, cumulative.p95, cumulative.p99, cumulative.p999, endpoint.max_ms
    )


def relative_change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return MISSING
    if before == 0:
        return "new" if now else "0%"
    return f"{(now - before) / before * 100:+.1f}%"


def ladder_rows(endpoint: EndpointStats, baseline: EndpointStats | None = None) -> list[tuple[str, ...]]:
    """One row per rung (p50 ... p99.9, max): window, whole run measured, corrected, and the baseline's
    whole-run value with the change of the measured one against it (when ``baseline`` is given)."""
    measured = whole_run(endpoint)
    before = whole_run(baseline) if baseline is not None else None
    rows = []
    for rung in LADDER:
        corrected = endpoint.corrected.get(rung) if endpoint.corrected is not None else None
        row: tuple[str, ...] = (
            rung,
            fmt_ms(endpoint.current.get(rung)),
            fmt_ms(measured.get(rung)),
            fmt_ms(corrected),
        )
        if before is not None:
            row += (fmt_ms(before.get(rung)), relative_change(measured.get(rung), before.get(rung)))
        rows.append(row)
    return rows


def ladder_headers(with_baseline: bool) -> tuple[str, ...]:
    return LADDER_HEADERS + (BASELINE_HEADERS if with_baseline else ())


def summary_line(endpoint: EndpointStats) -> str:
    """``1,234 requests, 5 failed (0.4%), req/s 12.3 now / 11.0 run, fail/s 0.1 now``."""
    return (
        f"{endpoint.num_requests:,} requests, {endpoint.num_failures:,} failed "
        f"({endpoint.fail_ratio * 100:.1f}%), req/s {fmt_rate(endpoint.current_rps)} now / "
        f"{fmt_rate(endpoint.total_rps)} run, fail/s {fmt_rate(endpoint.current_fail_per_sec)} now"
    )


def endpoint_failures(errors: Sequence[ErrorStats], endpoint: EndpointStats) -> list[tuple[str, ...]]:
    """(count, error) of the endpoint's grouped failures, most frequent first (every one for the total)."""
    if endpoint.key == AGGREGATED:
        mine = list(errors)
    else:
        mine = [e for e in errors if (e.method, e.name) == (endpoint.method, endpoint.name)]
    return [(str(e.occurrences), e.error) for e in sorted(mine, key=lambda e: -e.occurrences)]


def stage_rows(stages: Sequence[StageStats], series: EndpointSeries) -> list[tuple[str, ...]]:
    """Per stage of the run, from the endpoint's own per-second points: mean req/s, mean fail/s and the
    highest window p95 and p99 seen during the stage (``-`` where the stage has no point yet)."""
    rows: list[tuple[str, ...]] = []
    for stage in stages:
        inside = [i for i, t in enumerate(series.times) if stage.start_s <= t <= stage.end_s]
        rps = [series.rps[i] for i in inside]
        fails = [series.fail_per_sec[i] for i in inside]
        p95 = [v for i in inside if (v := series.p95[i]) is not None]
        p99 = [v for i in inside if (v := series.p99[i]) is not None]
        rows.append(
            (
                stage.label,
                fmt_rate(sum(rps) / len(rps)) if rps else MISSING,
                fmt_rate(sum(fails) / len(fails)) if fails else MISSING,
                fmt_ms(max(p95)) if p95 else MISSING,
                fmt_ms(max(p99)) if p99 else MISSING,
            )
        )
    return rows


STAGE_HEADERS = ("stage", "req/s", "fail/s", "p95 peak", "p99 peak")


def endpoint_charts(
    series: EndpointSeries, annotations: Sequence[Annotation], minimum_span_s: float = 30.0
) -> tuple[ChartData, ChartData]:
    """The endpoint's req/s (with fail/s) and latency (p50/p95/p99 of the window) charts over the run,
    the run's annotations marked on the time axis."""
    times = list(series.times)
    marks = [(a.elapsed_s, annotation_mark(a.kind)) for a in annotations]
    t_end = chart_t_end([*times, *(a.elapsed_s for a in annotations)], minimum_span_s)

    def last(column: Sequence[float | None]) -> float | None:
        return column[-1] if column else None

    rps = time_chart(
        "req/s",
        times,
        [("req/s", series.rps), ("fail/s", series.fail_per_sec)],
        marks,
        t_end,
        latest=f"now {fmt_rate(last(series.rps))}",
    )
    latency = time_chart(
        "latency ms",
        times,
        [("p50", series.p50), ("p95", series.p95), ("p99", series.p99)],
        marks,
        t_end,
        latest=f"p95 {fmt_ms(last(series.p95))}",
    )
    return rps, latency
