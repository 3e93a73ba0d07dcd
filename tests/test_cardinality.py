"""The endpoint cap: the pure fold, the hooks on Locust's stats and worker reports, threshold results once
per rule, and a URL explosion (50,000 unique names fired as request events by a real worker, no network)
that stays bounded, with its figures printed (``benchmarks/url_explosion.py``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from locust.stats import RequestStats, StatsError

from perfconsole.engine.cardinality import (
    OTHER_ERROR,
    OTHER_NAME,
    EndpointFold,
    fold_name,
    fold_request_stats,
    fold_worker_report,
)
from perfconsole.engine.hdr.recorder import IntervalRecorder
from perfconsole.model.run import ThresholdResult
from perfconsole.verdicts.per_rule import per_rule

ROOT = Path(__file__).resolve().parent.parent


def test_fold_keeps_the_first_names_then_one_other_row_per_method() -> None:
    known: set[tuple[str, str]] = set()
    assert fold_name(known, "GET", "/a", 2) == ("/a", False)
    assert fold_name(known, "GET", "/b", 2) == ("/b", False)
    assert fold_name(known, "GET", "/c", 2) == (OTHER_NAME, True)
    assert fold_name(known, "POST", "/d", 2) == (OTHER_NAME, True)
    assert fold_name(known, "GET", "/a", 2) == ("/a", False)  # a kept name stays
    assert fold_name(known, "GET", OTHER_NAME, 2) == (OTHER_NAME, True)  # folded by a worker
    assert known == {("GET", "/a"), ("GET", "/b")}


def test_fold_on_locust_stats_bounds_entries_and_errors() -> None:
    stats = RequestStats()
    fold = EndpointFold(max_endpoints=10)
    fold_request_stats(stats, fold)
    for i in range(1000):
        stats.log_request("GET", f"/items/{i}", 5, 10)
        stats.log_error("GET", f"/items/{i}", Exception(f"404 for /items/{i}"))
    assert len(stats.entries) == 11 and (OTHER_NAME, "GET") in stats.entries
    assert stats.entries[(OTHER_NAME, "GET")].num_requests == 990
    assert stats.total.num_requests == 1000 and stats.total.num_failures == 1000
    assert len(stats.errors) <= 11
    assert any(e.error == OTHER_ERROR for e in stats.errors.values())
    assert sum(e.occurrences for e in stats.errors.values()) == 1000
    assert fold.folded >= 990


def test_a_worker_records_each_request_once_under_its_folded_name_with_its_failure() -> None:
    """In a worker the histogram recorder takes requests from the fold's stats wrapper (no second listener):
    the same names, counts and failures as Locust's entries."""
    stats = RequestStats()
    fold = EndpointFold(max_endpoints=2)
    recorder = IntervalRecorder(clock=lambda: 1000.5)
    fold_request_stats(stats, fold, recorder)
    for i in range(6):
        stats.log_request("GET", f"/items/{i % 3}", 5 + i, 10)
        if i % 2:
            stats.log_error("GET", f"/items/{i % 3}", Exception("500"))
    stats.log_request("GET", "/items/0", None, 0)  # no response time: Locust counts it, no histogram value
    recorded = {key: (sum(i.counts.values()), i.failures) for key, i in recorder.drain()[1000].items()}
    assert recorded == {("GET", "/items/0"): (2, 1), ("GET", "/items/1"): (2, 1), ("GET", OTHER_NAME): (2, 1)}
    for (method, name), (count, failures) in recorded.items():
        entry = stats.entries[(name, method)]
        assert (entry.num_requests - entry.num_none_requests, entry.num_failures) == (count, failures)


def test_fold_of_a_worker_report_renames_entries_and_merges_errors() -> None:
    fold = EndpointFold(max_endpoints=1)
    errors = {}
    for name in ("/a", "/b", "/c"):
        key = StatsError.create_key("GET", name, "boom")
        errors[key] = {"method": "GET", "name": name, "error": "boom", "occurrences": 2}
    data = {"stats": [{"method": "GET", "name": n} for n in ("/a", "/b", "/c")], "errors": errors}
    fold_worker_report(data, fold)
    assert [e["name"] for e in data["stats"]] == ["/a", OTHER_NAME, OTHER_NAME]
    merged = sorted((e["name"], e["occurrences"]) for e in data["errors"].values())
    assert merged == [(OTHER_NAME, 4), ("/a", 2)]
    assert StatsError.create_key("GET", OTHER_NAME, OTHER_ERROR) in data["errors"]  # past the cap too


def test_threshold_results_once_per_rule() -> None:
    results = [ThresholdResult(f"GET /items/{i}", "p95", 100.0, float(i), i < 7, "<") for i in range(10)] + [
        ThresholdResult("GET /special", "p95", 50.0, 20.0, True, "<"),
        ThresholdResult("Aggregated", "p95", 100.0, 9.0, False, "<"),
        ThresholdResult("Aggregated", "rps", 1.0, 9.0, True, ">="),
    ]
    grouped = per_rule(results)
    assert [r.endpoint for r in grouped] == [
        "GET /items/9 (worst of 10)",
        "GET /special",
        "Aggregated",
        "Aggregated",
    ]
    assert grouped[0].passed is False and grouped[0].actual == 9.0
    assert per_rule(results[:1]) == (results[0],)


@pytest.mark.slow
@pytest.mark.timeout(200)
def test_url_explosion_stays_bounded() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "url_explosion.py"), "--names", "50000", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"\n50,000 unique names: master peak RSS {figures['master_peak_rss_mb']} MB, "
        f"save {figures['save_s']} s, files {figures['total_bytes'] / 1e6:.2f} MB {figures['files_bytes']}"
    )
    assert figures["requests_counted"] == 50_000  # nothing lost: folded, not dropped
    assert figures["endpoint_rows"] <= 501 and figures["other_rows"] == 1
    assert figures["error_rows"] <= 502
    assert figures["threshold_entries"] <= 10  # once per rule
    assert any("max_endpoints" in w for w in figures["warnings"])
    assert figures["files_bytes"]["run.toml"] < 64_000
    assert figures["total_bytes"] < 10_000_000
