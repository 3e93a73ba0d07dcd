"""Threshold evaluation on hand-built snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfconsole.config import Limits, Thresholds, default_settings, load_settings
from perfconsole.model.run import EndpointStats, Percentiles, RunSnapshot, RunState, ThresholdResult
from perfconsole.verdicts.thresholds import (
    cell_breaches,
    evaluate,
    limits_for,
    matching_patterns,
    pattern_specificity,
)

SHIPPED = load_settings(Path(__file__).resolve().parents[1] / "config.toml")
"""The repository's config.toml: the demo scenarios' limits (the built-in defaults hold none)."""
THRESHOLDS = Thresholds(default=Limits(min_rps=100)).merged_over(SHIPPED.thresholds)
"""The shipped limits with a throughput floor, as a profile that expects a throughput sets one."""


def endpoint(
    name: str,
    method: str = "GET",
    requests: int = 1000,
    failures: int = 0,
    p50: float | None = 20,
    p95: float | None = 80,
    p99: float | None = 150,
    current: Percentiles | None = None,
    total_rps: float = 100.0,
    current_rps: float = 100.0,
    current_fail_per_sec: float = 0.0,
) -> EndpointStats:
    cumulative = Percentiles(p50=p50, p90=p95, p95=p95, p99=p99, p999=p99, max=p99)
    return EndpointStats(
        method=method,
        name=name,
        num_requests=requests,
        num_failures=failures,
        avg_ms=p50 or 0.0,
        min_ms=1.0,
        max_ms=p99 or 0.0,
        median_ms=p50 or 0.0,
        avg_content_length=100.0,
        total_rps=total_rps,
        current_rps=current_rps,
        current_fail_per_sec=current_fail_per_sec,
        total_fail_per_sec=0.0,
        cumulative=cumulative,
        current=current if current is not None else cumulative,
    )


def total(**kwargs: Any) -> EndpointStats:
    return endpoint("Aggregated", method="", **kwargs)


def snapshot(endpoints: list[EndpointStats], aggregated: EndpointStats) -> RunSnapshot:
    return RunSnapshot(
        state=RunState.STOPPED,
        elapsed_s=60.0,
        user_count=10,
        target_user_count=10,
        spawn_rate=1.0,
        host="http://127.0.0.1:1",
        endpoints=tuple(endpoints),
        total=aggregated,
    )


def failing(results: tuple[ThresholdResult, ...]) -> set[tuple[str, str]]:
    return {(r.endpoint, r.metric) for r in results if not r.passed}


def test_healthy_run_passes_every_threshold() -> None:
    results = evaluate(
        snapshot([endpoint("/api/items"), endpoint("/api/v1/health/")], total(total_rps=250)), THRESHOLDS
    )
    assert [(r.endpoint, r.metric) for r in results] == [
        ("GET /api/items", "p50"),
        ("GET /api/items", "p95"),
        ("GET /api/items", "p99"),
        ("GET /api/items", "error_rate"),
        ("GET /api/v1/health/", "p50"),
        ("GET /api/v1/health/", "p95"),
        ("GET /api/v1/health/", "p99"),
        ("GET /api/v1/health/", "error_rate"),
        ("Aggregated", "p50"),
        ("Aggregated", "p95"),
        ("Aggregated", "p99"),
        ("Aggregated", "error_rate"),
        ("Aggregated", "rps"),
    ]
    assert all(r.passed for r in results)
    rps = results[-1]
    assert (rps.actual, rps.limit, rps.comparison) == (250, 100, ">=")


def test_endpoint_pattern_wins_over_default() -> None:
    results = evaluate(
        snapshot(
            [endpoint("/api/items", p95=150.0), endpoint("/api/v1/health/", p95=150.0)], total(p95=150.0)
        ),
        THRESHOLDS,
    )
    assert failing(results) == {("GET /api/v1/health/", "p95")}
    health_p95 = next(r for r in results if r.endpoint == "GET /api/v1/health/" and r.metric == "p95")
    assert (health_p95.actual, health_p95.limit, health_p95.comparison) == (150, 100, "<")


def test_most_specific_pattern_wins_and_layers_over_broader_ones() -> None:
    thresholds = Thresholds(
        default=Limits(p95_ms=500),
        endpoints={
            "/api/*": Limits(p95_ms=300, p99_ms=400),
            "/api/v1/health*": Limits(p95_ms=100),
            "*": Limits(p50_ms=50),
        },
    )
    health = endpoint("/api/v1/health/")
    assert matching_patterns(health, thresholds) == ["*", "/api/*", "/api/v1/health*"]
    assert limits_for(health, thresholds) == Limits(p50_ms=50, p95_ms=100, p99_ms=400)
    assert limits_for(endpoint("/api/items"), thresholds) == Limits(p50_ms=50, p95_ms=300, p99_ms=400)
    assert limits_for(endpoint("/static/x"), thresholds) == Limits(p50_ms=50, p95_ms=500)
    assert limits_for(total(), thresholds) == Limits(p95_ms=500)
    assert pattern_specificity("/api/v1/health") > pattern_specificity("/api/v1/health*")
    assert pattern_specificity("/a[bc]") == (2, -1)


def test_pattern_can_match_method_and_name() -> None:
    thresholds = Thresholds(endpoints={"POST /api/auth/*": Limits(p95_ms=50)})
    post = endpoint("/api/auth/login", method="POST")
    get = endpoint("/api/auth/login", method="GET")
    assert limits_for(post, thresholds).p95_ms == 50
    assert limits_for(get, thresholds).p95_ms is None


def test_error_rate_in_percent() -> None:
    results = evaluate(
        snapshot(
            [endpoint("/a", requests=100, failures=2), endpoint("/b", requests=1000, failures=5)], total()
        ),
        THRESHOLDS,
    )
    rates = {r.endpoint: r for r in results if r.metric == "error_rate"}
    assert rates["GET /a"].actual == 2.0 and not rates["GET /a"].passed
    assert rates["GET /b"].actual == 0.5 and rates["GET /b"].passed


def test_min_rps_checked_on_total_only() -> None:
    results = evaluate(snapshot([endpoint("/a", total_rps=1.0)], total(total_rps=99.0)), THRESHOLDS)
    assert failing(results) == {("Aggregated", "rps")}
    assert [r.endpoint for r in results if r.metric == "rps"] == ["Aggregated"]
    thresholds = Thresholds(endpoints={"/a": Limits(min_rps=1000)})
    assert limits_for(endpoint("/a"), thresholds).min_rps is None


def test_endpoints_without_requests_are_skipped_but_total_always_checked() -> None:
    idle = endpoint("/idle", requests=0, p50=None, p95=None, p99=None)
    results = evaluate(
        snapshot([idle], total(requests=0, p50=None, p95=None, p99=None, total_rps=0.0)), THRESHOLDS
    )
    assert {r.endpoint for r in results} == {"Aggregated"}
    # no samples: latencies are "no data", never failed; 0 req/s is a measurement and fails the floor
    assert failing(results) == {("Aggregated", "rps")}
    p95 = next(r for r in results if r.metric == "p95")
    assert p95.actual is None and p95.passed
    assert p95.describe() == "no data Aggregated p95 (limit < 500 ms)"


def test_builtin_defaults_fail_nothing_but_errors() -> None:
    """Without perfconsole settings a run passes and fails as plain Locust: slow answers fail nothing."""
    slow = snapshot([endpoint("/a", p95=90_000.0, p99=99_000.0, failures=999)], total(p95=90_000.0))
    assert evaluate(slow, default_settings().thresholds) == ()


def test_profile_overrides_change_evaluation() -> None:
    settings = SHIPPED
    run = snapshot([endpoint("/api/items", p95=800.0, p99=1500.0)], total(p95=800.0, p99=1500.0))
    assert failing(evaluate(run, settings.thresholds_for(None))) == {
        ("GET /api/items", "p95"),
        ("GET /api/items", "p99"),
        ("Aggregated", "p95"),
        ("Aggregated", "p99"),
    }
    assert failing(evaluate(run, settings.thresholds_for(settings.profile("spike")))) == set()
    no_rps = Thresholds(default=Limits(off=frozenset({"min_rps"}))).merged_over(settings.thresholds)
    quiet_run = snapshot([endpoint("/api/items")], total(total_rps=3.0))
    assert failing(evaluate(quiet_run, no_rps)) == set()


def test_boundary_is_a_failure_for_upper_limits_and_a_pass_for_floors() -> None:
    thresholds = Thresholds(default=Limits(p95_ms=80, min_rps=100))
    results = evaluate(snapshot([], total(p95=80.0, total_rps=100.0)), thresholds)
    assert {r.metric: r.passed for r in results} == {"p95": False, "rps": True}


def test_cell_breaches_cumulative_and_current() -> None:
    calm_now = Percentiles(p50=10, p95=50, p99=60)
    hot = endpoint("/api/v1/health/", p95=150, p99=1200, failures=20, current=calm_now)
    assert cell_breaches(hot, THRESHOLDS, use_current=False) == {"p95", "p99", "error_rate"}
    assert cell_breaches(hot, THRESHOLDS, use_current=True) == set()
    burning_now = endpoint(
        "/api/items", current=Percentiles(p50=250, p95=600, p99=900), current_rps=50, current_fail_per_sec=5
    )
    assert cell_breaches(burning_now, THRESHOLDS, use_current=True) == {"p50", "p95", "error_rate"}
    assert cell_breaches(burning_now, THRESHOLDS, use_current=False) == set()


def test_cell_breaches_idle_window_and_zero_requests_mark_nothing() -> None:
    idle_now = endpoint("/api/items", current=Percentiles(), current_rps=0.0, current_fail_per_sec=0.0)
    assert cell_breaches(idle_now, THRESHOLDS, use_current=True) == set()
    never_called = endpoint("/x", requests=0, p50=None, p95=None, p99=None)
    assert cell_breaches(never_called, THRESHOLDS, use_current=False) == set()


def test_cell_breaches_marks_throughput_on_total_only() -> None:
    slow_total = total(total_rps=40.0, current_rps=150.0)
    assert cell_breaches(slow_total, THRESHOLDS, use_current=False) == {"rps"}
    assert cell_breaches(slow_total, THRESHOLDS, use_current=True) == set()
    assert cell_breaches(endpoint("/a", total_rps=1.0), THRESHOLDS, use_current=False) == set()
