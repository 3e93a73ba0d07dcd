"""Regression comparison math: thresholds, minimum change, minimum samples, one-sided endpoints."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from test_store_factories import make_endpoint, make_result, make_total

from perfconsole.application.comparison_report import comparison_to_dict, render_table
from perfconsole.config import Regression, default_settings
from perfconsole.model.run import EndpointStats
from perfconsole.verdicts.regression import (
    CHANGED,
    FEW_SAMPLES,
    IMPROVED,
    NO_DATA,
    OK,
    REGRESSION,
    compare,
    relative_limit,
)


def side(*endpoints):  # type: ignore[no-untyped-def]
    return [*endpoints, make_total(tuple(endpoints))]


def test_identical_runs_have_no_regression() -> None:
    result = make_result()
    comparison = compare(result, result)
    assert not comparison.regressed
    assert [row.endpoint for row in comparison.rows] == [
        "GET /api/notifications",
        "POST /api/users",
        "Aggregated",
    ]
    assert all(m.verdict == OK for row in comparison.rows for m in row.metrics)


def test_latency_increase_is_a_regression() -> None:
    base = side(make_endpoint(p95=20.0))
    cur = side(make_endpoint(p95=30.0))
    row = compare(base, cur).rows[0]
    p95 = row.metric("p95")
    assert (p95.baseline, p95.current, p95.abs_delta) == (20.0, 30.0, 10.0)
    assert p95.rel_delta == pytest.approx(0.5)
    assert p95.verdict == REGRESSION and row.regressed
    assert row.metric("p50").verdict == OK


def test_relative_threshold_is_strict() -> None:
    base = side(make_endpoint(p99=100.0))
    assert compare(base, side(make_endpoint(p99=110.0))).rows[0].metric("p99").verdict == OK
    assert compare(base, side(make_endpoint(p99=111.0))).rows[0].metric("p99").verdict == REGRESSION


def test_small_absolute_change_is_noise() -> None:
    base = side(make_endpoint(p50=2.0))
    cur = side(make_endpoint(p50=4.0))  # +100 % but only 2 ms
    assert compare(base, cur).rows[0].metric("p50").verdict == OK
    strict = Regression(min_abs_ms=1.0)
    assert compare(base, cur, strict).rows[0].metric("p50").verdict == REGRESSION


def test_too_few_samples_are_not_judged() -> None:
    base = side(make_endpoint(requests=40, p95=20.0))
    cur = side(make_endpoint(requests=1000, p95=80.0))
    row = compare(base, cur).rows[0]
    assert not row.enough_samples and not row.regressed
    assert row.metric("p95").verdict == FEW_SAMPLES
    assert "not judged" in render_table(compare(base, cur))


def test_total_rps_drop_is_a_regression_and_rise_an_improvement() -> None:
    def total(rps: float) -> list[EndpointStats]:
        return side(make_endpoint("Aggregated", "", rps=rps))

    drop = compare(total(100.0), total(85.0)).rows[0].metric("rps")
    assert drop.verdict == REGRESSION and drop.rel_delta == pytest.approx(-0.15)
    assert compare(total(100.0), total(150.0)).rows[0].metric("rps").verdict == IMPROVED
    assert compare(total(100.0), total(95.0)).rows[0].metric("rps").verdict == OK


def test_endpoint_rps_change_is_shown_but_not_a_regression() -> None:
    """Closed-loop users: one slow endpoint lowers every endpoint's req/s; only the total is judged."""
    row = compare(side(make_endpoint(rps=100.0)), side(make_endpoint(rps=50.0))).rows[0]
    assert row.metric("rps").verdict == CHANGED and row.metric("rps").rel_delta == pytest.approx(-0.5)
    assert not row.regressed


def test_error_rate_from_zero() -> None:
    base = side(make_endpoint(requests=1000, failures=0))
    bad = compare(base, side(make_endpoint(requests=1000, failures=20))).rows[0].metric("error_rate")
    assert (
        bad.verdict == REGRESSION and bad.abs_delta == pytest.approx(2.0) and math.isinf(bad.rel_delta or 0)
    )
    tiny = compare(base, side(make_endpoint(requests=1000, failures=2))).rows[0].metric("error_rate")
    assert tiny.verdict == OK  # 0.2 pct points < 0.5


def test_latency_improvement() -> None:
    comparison = compare(side(make_endpoint(avg=50.0)), side(make_endpoint(avg=20.0)))
    assert comparison.rows[0].metric("avg").verdict == IMPROVED and not comparison.regressed


def test_endpoints_on_one_side_only() -> None:
    base = side(make_endpoint("/a"), make_endpoint("/gone"))
    cur = side(make_endpoint("/a"), make_endpoint("/new", "POST"))
    comparison = compare(base, cur)
    assert comparison.only_in_baseline == ("GET /gone",)
    assert comparison.only_in_current == ("POST /new",)
    assert [row.endpoint for row in comparison.rows] == ["GET /a", "Aggregated"]
    table = render_table(comparison)
    assert "Only in baseline: GET /gone" in table and "Only in current: POST /new" in table


def test_endpoint_without_requests_has_no_latency() -> None:
    base = side(make_endpoint(requests=0))
    cur = side(make_endpoint(requests=0))
    assert compare(base, cur).rows[0].metric("p95").verdict == NO_DATA


def test_works_on_live_snapshots() -> None:
    result = make_result()
    slower = replace(result.final, endpoints=(make_endpoint(p95=60.0), result.final.endpoints[1]))
    comparison = compare(result, slower)
    assert [(e, m.metric) for e, m in comparison.regressions] == [("GET /api/notifications", "p95")]


def test_rules_from_settings() -> None:
    regression = Regression(
        relative={"p50": 0.2, "p95": 0.3, "p99": 0.4, "avg": 0.5, "error_rate": 0.6, "rps": 0.7},
        min_abs_ms=1.0,
        min_abs_error_rate_pct=0.1,
        min_samples=10,
    )
    settings = replace(default_settings(), regression=regression)
    rules = settings.regression
    assert tuple(relative_limit(rules, m) for m in ("p50", "p95", "p99", "avg", "error_rate", "rps")) == (
        0.2,
        0.3,
        0.4,
        0.5,
        0.6,
        0.7,
    )
    assert (rules.min_abs_ms, rules.min_abs_error_rate_pct, rules.min_samples) == (1.0, 0.1, 10)


def test_table_and_json_outputs() -> None:
    comparison = compare(side(make_endpoint(p95=20.0)), side(make_endpoint(p95=30.0)))
    table = render_table(comparison)
    assert "REGRESSION" in table and "+50.0%" in table and "RESULT: " in table
    data = comparison_to_dict(comparison)
    json.dumps(data, allow_nan=False)
    assert data["regressed"] is True
    assert data["regressions"][0]["endpoint"] == "GET /api/notifications"
    assert data["rows"][0]["metrics"]["p95"]["verdict"] == REGRESSION
    zero = comparison_to_dict(compare(side(make_endpoint(failures=0)), side(make_endpoint(failures=100))))
    json.dumps(zero, allow_nan=False)  # inf relative delta becomes null
