"""A time cursor over a saved run (pure): where a key moves it, and the run's figures at that second.

A saved run keeps the total's figures for every second (:class:`HistoryPoint`: users, req/s, fail/s and
the current window's p50/p95/p99 from the HdrHistograms); the cursor shows them as they were then. Each
endpoint's window figures are kept every 5 s (:mod:`perfconsole.store.endpoint_steps`): the endpoint rows
at the cursor are those of the last step at or before it. A run saved before that, with Locust's
``--csv-full-history``, has each endpoint's row of every second in Locust's stats history instead
(:mod:`perfconsole.store.stats_history`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import Annotation, EndpointStats, HistoryPoint, RunSnapshot
from perfconsole.store.endpoint_steps import EndpointStep
from perfconsole.store.stats_history import EndpointSecond
from perfconsole.tui.chart import ChartData
from perfconsole.tui.formatting import fmt_duration, fmt_ms, fmt_rate

CURSOR_MARK = "▲"
"""The cursor's mark on the charts' time axes."""


def run_end(history: Sequence[HistoryPoint]) -> float:
    return history[-1].elapsed_s if history else 0.0


def stepped(at: float | None, seconds: float, history: Sequence[HistoryPoint]) -> float:
    """The cursor ``seconds`` away from ``at``, kept within the run; from the whole run (``at`` None) the
    first step lands on the run's end (stepping back) or its start (stepping forward)."""
    end = run_end(history)
    if at is None:
        return end if seconds < 0 else 0.0
    return max(0.0, min(end, at + seconds))


def next_annotation(at: float | None, annotations: Sequence[Annotation], forward: bool) -> float | None:
    """The time of the next annotation after ``at`` (or the previous one before it); None: no more."""
    times = sorted(a.elapsed_s for a in annotations)
    if forward:
        later = [t for t in times if at is None or t > at + 1e-9]
        return later[0] if later else None
    earlier = [t for t in times if at is None or t < at - 1e-9]
    return earlier[-1] if earlier else None


def point_at(history: Sequence[HistoryPoint], at: float) -> HistoryPoint | None:
    """The last sample at or before ``at`` (None before the first)."""
    index = bisect_right([p.elapsed_s for p in history], at + 1e-9)
    return history[index - 1] if index else None


def cursor_line(point: HistoryPoint | None, at: float, end: float) -> str:
    """``at 0:35/1:00: users 40, req/s 44.0, fail/s 0.1, p50/95/99 20/300/450 ms`` (the rates and
    percentiles of the window then; short enough for one line at 80 columns)."""
    where = f"at {fmt_duration(at)}/{fmt_duration(end)}"
    if point is None:
        return f"{where}: no figures yet"
    rates = f"req/s {fmt_rate(point.rps)}, fail/s {fmt_rate(point.fail_per_sec)}"
    latency = "/".join(fmt_ms(value) for value in (point.p50_ms, point.p95_ms, point.p99_ms))
    return f"{where}: users {point.user_count}, {rates}, p50/95/99 {latency} ms"


def total_at(final: RunSnapshot, point: HistoryPoint) -> RunSnapshot:
    """``final`` with its total's current-window figures replaced by those at ``point`` (and no endpoint
    rows: a saved run keeps per-second figures for the total only)."""
    total = replace(
        final.total,
        current=Percentiles(p50=point.p50_ms, p95=point.p95_ms, p99=point.p99_ms),
        current_rps=point.rps,
        current_fail_per_sec=point.fail_per_sec,
    )
    return replace(final, total=total, endpoints=(), elapsed_s=point.elapsed_s, user_count=point.user_count)


def endpoints_at(
    final: RunSnapshot, seconds: Sequence[EndpointSecond], started_at: float, at: float
) -> tuple[EndpointStats, ...]:
    """The run's endpoints with their current figures as the stats history had them at ``at`` (each
    endpoint's last row at or before it; endpoints without a row by then are left out)."""
    moment = started_at + at + 0.5  # rows are stamped in whole seconds
    latest: dict[str, EndpointSecond] = {}
    for row in seconds:
        if row.timestamp <= moment:
            latest[row.key] = row
    known = {endpoint.key: endpoint for endpoint in final.endpoints}
    return tuple(
        replace(
            known[key],
            current=Percentiles(p50=row.p50, p95=row.p95, p99=row.p99, p999=row.p999, max=row.max),
            current_rps=row.rps,
            current_fail_per_sec=row.fail_per_sec,
        )
        for key, row in latest.items()
        if key in known
    )


def endpoints_at_step(
    final: RunSnapshot, steps: Sequence[EndpointStep], at: float
) -> tuple[EndpointStats, ...]:
    """The run's endpoints as the last step at or before ``at`` had them (``steps`` in time order): those
    with requests in that step's window with its figures, those seen before but idle then with none;
    endpoints not seen yet are left out."""
    index = bisect_right([step.elapsed_s for step in steps], at + 0.5)  # steps are ~1 s late at most
    if not index:
        return ()
    now = steps[index - 1].elapsed_s
    latest: dict[str, EndpointStep] = {}
    for earlier in steps[:index]:
        latest[earlier.key] = earlier
    shown = []
    for endpoint in final.endpoints:
        step = latest.get(endpoint.key)
        if step is None:
            continue
        active = step.elapsed_s == now
        shown.append(
            replace(
                endpoint,
                num_requests=step.requests,
                num_failures=step.failures,
                current=Percentiles(p50=step.p50, p95=step.p95, p99=step.p99, p999=step.p999, max=step.max)
                if active
                else Percentiles(),
                current_rps=step.rps if active else 0.0,
                current_fail_per_sec=step.fail_per_sec if active else 0.0,
            )
        )
    return tuple(shown)


def with_cursor(chart: ChartData, at: float) -> ChartData:
    """The chart with the cursor marked on its time axis, its title without the run's last values (the
    message line has the cursor's)."""
    return replace(chart, marks=(*chart.marks, (at, CURSOR_MARK)), latest=f"cursor {fmt_duration(at)}")
