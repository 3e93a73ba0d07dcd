"""Hand-built run results for the store and compare tests (pure data, no Locust)."""

from __future__ import annotations

from collections.abc import Callable

from perfconsole.model.run import (
    Annotation,
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    HistoryPoint,
    Percentiles,
    RunResult,
    RunSnapshot,
    RunState,
    ThresholdResult,
    WorkerInfo,
)
from perfconsole.model.run_warnings import RunWarning, WarningKind

STARTED_AT = 1_795_452_300.25  # 2026-11-23T16:45:00.25Z


def make_endpoint(
    name: str = "/api/notifications",
    method: str = "GET",
    *,
    requests: int = 1000,
    failures: int = 0,
    p50: float = 10.0,
    p95: float = 20.0,
    p99: float = 30.0,
    avg: float = 12.0,
    rps: float = 50.0,
) -> EndpointStats:
    return EndpointStats(
        method=method,
        name=name,
        num_requests=requests,
        num_failures=failures,
        avg_ms=avg,
        min_ms=1.0 if requests else None,
        max_ms=p99 * 2,
        median_ms=p50,
        avg_content_length=512.0,
        total_rps=rps,
        current_rps=rps * 0.9,
        current_fail_per_sec=0.0,
        total_fail_per_sec=failures / 20.0,
        cumulative=Percentiles(p50=p50, p90=p95 * 0.9, p95=p95, p99=p99, p999=p99 * 1.5, max=p99 * 2),
        current=Percentiles(p50=p50, p95=p95, p99=None),
    )


def make_total(endpoints: tuple[EndpointStats, ...]) -> EndpointStats:
    """An aggregated row: summed counts and rates, the worst of each latency figure."""

    def worst(value: Callable[[EndpointStats], float | None]) -> float:
        return max((value(e) or 0.0) for e in endpoints)

    return make_endpoint(
        "Aggregated",
        "",
        requests=sum(e.num_requests for e in endpoints),
        failures=sum(e.num_failures for e in endpoints),
        p50=worst(lambda e: e.cumulative.p50),
        p95=worst(lambda e: e.cumulative.p95),
        p99=worst(lambda e: e.cumulative.p99),
        avg=worst(lambda e: e.avg_ms),
        rps=sum(e.total_rps for e in endpoints),
    )


def make_result(
    endpoints: tuple[EndpointStats, ...] | None = None,
    *,
    host: str = "http://127.0.0.1:8089",
    scenario_path: str = "scenarios/notifications.py",
    profile: str | None = "light",
    started_at: float = STARTED_AT,
    errors: tuple[ErrorStats, ...] = (),
    exceptions: tuple[ExceptionStats, ...] = (),
    annotations: tuple[Annotation, ...] | None = None,
    command_line: tuple[str, ...] = ("perfconsole", "run", "--headless", "--load-profile", "light"),
    settings: dict[str, object] | None = None,
    interrupted: bool = False,
) -> RunResult:
    endpoints = endpoints or (
        make_endpoint(),
        make_endpoint("/api/users", "POST", p50=20.0, p95=40.0, p99=60.0),
    )
    final = RunSnapshot(
        state=RunState.STOPPED,
        elapsed_s=20.0,
        user_count=0,
        target_user_count=10,
        spawn_rate=5.0,
        host=host,
        endpoints=endpoints,
        total=make_total(endpoints),
        errors=errors,
        exceptions=exceptions,
        workers=(WorkerInfo("w1", "stopped", 0, 12.5, 40_000_000, True, pid=4242),),
        expected_workers=1,
        duration_s=20.0,
        profile=profile,
        stage=None,
        timestamp=started_at + 20.0,
    )
    history = tuple(
        HistoryPoint(
            elapsed_s=float(i),
            timestamp=started_at + i,
            user_count=min(10, 5 * i),
            rps=50.0 + i,
            fail_per_sec=0.0,
            p50_ms=10.0 if i else None,
            p95_ms=20.0 if i else None,
            p99_ms=30.0 if i else None,
            total_requests=50 * i,
            total_failures=0,
        )
        for i in range(5)
    )
    if annotations is None:
        annotations = (
            Annotation(2.0, "users 0 -> 10", "users", started_at + 2.0),
            Annotation(7.5, "cache flushed by hand", "note", started_at + 7.5),
        )
    return RunResult(
        final=final,
        history=history,
        annotations=annotations,
        thresholds=(
            ThresholdResult("Aggregated", "p95", 100.0, 20.0, True),
            ThresholdResult("GET /api/notifications", "rps", 1.0, None, False, ">="),
        ),
        interrupted=interrupted,
        started_at=started_at,
        ended_at=started_at + 20.5,
        scenario_path=scenario_path,
        profile=profile,
        settings=settings if settings is not None else {"users": 10, "spawn_rate": 5.0, "tags": ["a"]},
        host=host,
        worker_count=1,
        command_line=command_line,
        resources={"samples": [{"t": 1.0, "cpu_pct": 12.5}], "peak_cpu_pct": 12.5},
        warnings=(RunWarning(WarningKind.SATURATION, "generator CPU above 90 %", "worker 1 CPU 95%"),),
    )


def test_factory_builds_consistent_totals() -> None:
    result = make_result()
    assert result.final.total.num_requests == sum(e.num_requests for e in result.final.endpoints)
    assert result.final.total.key == "Aggregated"
