"""Turn Locust's live stats into the immutable model (perfconsole.model.run). Reads only: never resets."""

from __future__ import annotations

import time
from itertools import repeat
from typing import TYPE_CHECKING

from perfconsole.model.run import (
    AGGREGATED,
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    Percentiles,
    WorkerInfo,
)

if TYPE_CHECKING:
    from locust.runners import Runner
    from locust.stats import RequestStats, StatsEntry

    from perfconsole.engine.hdr.hooks import HdrStats


CURRENT_LAG_S = 4.0
"""How far Locust's "current" window may trail the clock (workers report every 3 s). Past that, no request
came in: the window slides on with the clock, so req/s falls to 0 once the users are gone instead of
freezing at the last window's value (Locust ends its window at the last request)."""


def current_rates(entry: StatsEntry, now: float | None = None) -> tuple[float, float]:
    """Requests and failures per second over Locust's current window (12 s, the last 2 s left out)."""
    last = entry.stats.last_request_timestamp
    if last is None:
        return 0.0, 0.0
    now = time.time() if now is None else now
    end = max(int(last), int(now - CURRENT_LAG_S))
    seconds = range(max(end - 12, int(entry.stats.start_time or 0)), end - 2)
    if not seconds:
        return 0.0, 0.0
    zeros = repeat(0)
    requests = sum(map(entry.num_reqs_per_sec.get, seconds, zeros))
    failures = sum(map(entry.num_fail_per_sec.get, seconds, zeros)) if entry.num_failures else 0
    return requests / len(seconds), failures / len(seconds)


def _cumulative(entry: StatsEntry) -> Percentiles:
    if not entry.num_requests:
        return Percentiles()
    p = entry.get_response_time_percentile
    return Percentiles(
        p50=float(p(0.5)),
        p90=float(p(0.9)),
        p95=float(p(0.95)),
        p99=float(p(0.99)),
        p999=float(p(0.999)),
        max=float(entry.max_response_time),
    )


def _current(entry: StatsEntry) -> Percentiles:
    if not entry.use_response_times_cache:
        return Percentiles()
    p = entry.get_current_response_time_percentile
    values = [p(q) for q in (0.5, 0.9, 0.95, 0.99, 0.999, 1.0)]
    if values[0] is None:
        return Percentiles()
    p50, p90, p95, p99, p999, pmax = (float(v) if v is not None else None for v in values)
    return Percentiles(p50=p50, p90=p90, p95=p95, p99=p99, p999=p999, max=pmax)


def _from_values(values: list[float | None] | None) -> Percentiles:
    if not values or values[0] is None:
        return Percentiles()
    p50, p90, p95, p99, p999, pmax = values
    return Percentiles(p50=p50, p90=p90, p95=p95, p99=p99, p999=p999, max=pmax)


def _corrected(hdr: HdrStats | None, method: str, name: str) -> Percentiles | None:
    values = hdr.corrected(method, name) if hdr is not None else None
    return _from_values(values) if values else None


def current_percentiles(entry: StatsEntry, hdr: HdrStats | None = None) -> Percentiles:
    """The endpoint's percentiles over the current window: the histograms' (Locust's without them)."""
    return _current(entry) if hdr is None else _from_values(hdr.current(entry.method or "", entry.name))


def endpoint_stats(entry: StatsEntry, hdr: HdrStats | None = None) -> EndpointStats:
    duration = max(0.0, (entry.last_request_timestamp or entry.start_time) - entry.start_time)
    total_fail_per_sec = entry.num_failures / duration if duration > 0 else 0.0
    method = entry.method or ""
    cumulative = _cumulative(entry) if hdr is None else _from_values(hdr.cumulative(method, entry.name))
    median = cumulative.p50 if hdr is not None and cumulative.p50 is not None else entry.median_response_time
    current_rps, current_fail_per_sec = current_rates(entry)
    return EndpointStats(
        method=method,
        name=entry.name,
        num_requests=entry.num_requests,
        num_failures=entry.num_failures,
        avg_ms=float(entry.avg_response_time),
        min_ms=float(entry.min_response_time) if entry.min_response_time is not None else None,
        max_ms=float(entry.max_response_time),
        median_ms=float(median),
        avg_content_length=float(entry.avg_content_length),
        total_rps=float(entry.total_rps),
        current_rps=current_rps,
        current_fail_per_sec=current_fail_per_sec,
        total_fail_per_sec=float(total_fail_per_sec),
        cumulative=cumulative,
        current=current_percentiles(entry, hdr),
        corrected=_corrected(hdr, method, entry.name),
    )


def all_endpoints(
    stats: RequestStats, hdr: HdrStats | None = None
) -> tuple[tuple[EndpointStats, ...], EndpointStats]:
    """Every endpoint and the total; percentiles from the histograms when ``hdr`` is given."""
    entries = sorted(stats.entries.values(), key=lambda e: (e.name, e.method or ""))
    return tuple(endpoint_stats(e, hdr) for e in entries), endpoint_stats(stats.total, hdr)


def errors(stats: RequestStats) -> tuple[ErrorStats, ...]:
    found = [
        ErrorStats(method=e.method or "", name=e.name, error=str(e.error), occurrences=e.occurrences)
        for e in stats.errors.values()
    ]
    return tuple(sorted(found, key=lambda e: -e.occurrences))


def exceptions(runner: Runner) -> tuple[ExceptionStats, ...]:
    found = [
        ExceptionStats(
            count=int(row.get("count", 0)),
            msg=str(row.get("msg", "")),
            traceback=str(row.get("traceback", "")),
            nodes=tuple(sorted(row.get("nodes", ()))),
        )
        for row in getattr(runner, "exceptions", {}).values()
    ]
    return tuple(sorted(found, key=lambda e: -e.count))


def workers(runner: Runner) -> tuple[WorkerInfo, ...]:
    clients = getattr(runner, "clients", None)
    if clients is None:
        return ()
    return tuple(
        WorkerInfo(
            id=node.id,
            state=str(node.state),
            user_count=node.user_count,
            cpu_percent=float(node.cpu_usage),
            memory_bytes=int(node.memory_usage),
            heartbeat_ok=node.state != "missing" and node.heartbeat > 0,  # as engine.workers.loss flags it
        )
        for node in sorted(clients.values(), key=lambda n: n.id)
    )


def empty_total() -> EndpointStats:
    """The Aggregated row before any request."""
    return EndpointStats(
        method="",
        name=AGGREGATED,
        num_requests=0,
        num_failures=0,
        avg_ms=0.0,
        min_ms=None,
        max_ms=0.0,
        median_ms=0.0,
        avg_content_length=0.0,
        total_rps=0.0,
        current_rps=0.0,
        current_fail_per_sec=0.0,
        total_fail_per_sec=0.0,
        cumulative=Percentiles(),
        current=Percentiles(),
    )
