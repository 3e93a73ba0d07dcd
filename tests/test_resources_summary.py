"""Pure tests: RSS trend, bounded history with peaks, JSON summary, text summary, thresholds, options."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest

from perfconsole.config import Resources, ResourceThresholds
from perfconsole.model.resources import ProcessSample, ResourceSample, SystemSample
from perfconsole.resources.options import ResourceOptions
from perfconsole.resources.summary import ResourceHistory, ResourcePeaks
from perfconsole.resources.trend import linear_fit, mb_per_minute
from perfconsole.verdicts.resources import describe_resource_threshold, evaluate_resource_thresholds

MB = 2**20


def _sample(
    t: float,
    *,
    target_cpu: float | None = 10.0,
    target_rss_mb: float = 100.0,
    worker_cpu: float = 40.0,
    memory_pct: float = 50.0,
    metrics: dict[str, float] | None = None,
) -> ResourceSample:
    return ResourceSample(
        timestamp=1_700_000_000 + t,
        elapsed_s=t,
        system=SystemSample((20.0, 40.0), memory_pct, 1.0, (0.5, 0.4, 0.3)),
        console=ProcessSample("console", 1, 5.0, rss_bytes=50 * MB),
        local_workers=(ProcessSample("worker 2", 2, worker_cpu, rss_bytes=60 * MB),),
        target=ProcessSample(
            "target", 3, target_cpu, rss_bytes=int(target_rss_mb * MB), threads=4, open_fds=9
        ),
        target_connections={"ESTABLISHED": 5, "TIME_WAIT": 2},
        metrics=metrics or {},
    )


def test_linear_fit_is_exact_on_a_line_and_none_when_degenerate() -> None:
    fit = linear_fit([0, 1, 2, 3], [1, 3, 5, 7])
    assert fit is not None
    assert (fit.slope, fit.intercept, fit.r_squared, fit.span, fit.count) == (2.0, 1.0, 1.0, 3, 4)
    assert linear_fit([1], [1]) is None
    assert linear_fit([2, 2], [1, 5]) is None
    flat = linear_fit([0, 1, 2], [4, 4, 4])
    assert flat is not None and flat.slope == 0.0
    with pytest.raises(ValueError):
        linear_fit([0, 1], [0])


def test_mb_per_minute() -> None:
    fit = mb_per_minute([0.0, 60.0, 120.0], [100 * MB, 103 * MB, 106 * MB])
    assert fit is not None and fit.slope == pytest.approx(3.0)


def test_peaks_cover_every_sample_and_memory_stays_bounded() -> None:
    history = ResourceHistory(recent_window_s=100, archive_step_s=10, max_archive=20)
    for t in range(2000):
        cpu = 95.0 if t == 7 else 10.0  # one spike, long since thinned away
        history.add(_sample(float(t), target_cpu=cpu, worker_cpu=99.0 if t == 13 else 40.0))
    kept = history.samples
    assert len(kept) <= 101 + 20
    assert [s.elapsed_s for s in kept] == sorted(s.elapsed_s for s in kept)
    assert 7.0 not in [s.elapsed_s for s in kept]
    peaks = history.peaks()
    assert peaks.target_cpu_pct == 95.0
    assert peaks.target_cpu_sustained_pct == pytest.approx((95.0 + 4 * 10.0) / 5)
    assert (peaks.generator_max_cpu_pct, peaks.generator_max_cpu_label) == (99.0, "worker 2")
    assert peaks.generator_cpu_pct == 104.0
    assert peaks.connections_to_target == 7.0
    assert history.sample_count == 2000


def test_leaking_target_is_flagged_and_trend_is_in_mb_per_minute() -> None:
    history = ResourceHistory()
    for t in range(0, 601, 5):
        history.add(_sample(float(t), target_rss_mb=100.0 + 2.0 * t / 60.0))
    fit = history.target_rss_trend()
    assert fit is not None and fit.slope == pytest.approx(2.0)
    assert history.leak_suspected()
    steady = ResourceHistory()
    for t in range(0, 601, 5):
        steady.add(_sample(float(t), target_rss_mb=100.0 + (t % 10) / 10))
    assert not steady.leak_suspected()


def test_to_dict_is_plain_json_and_summary_lines_read_well() -> None:
    history = ResourceHistory()
    history.target_label = "pid 3 (demo, by port)"
    for t in range(10):
        history.add(
            _sample(
                float(t),
                metrics={
                    "db_pool_in_use": 8.0,
                    "db_pool_size": 10.0,
                    "queue_depth": float(t),
                    "odd": math.nan,
                },
            )
        )
    history.add_warning("load generator saturated: worker 2 CPU 99% ...")
    data = history.to_dict(max_points=4)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    peaks = data["peaks"]
    assert isinstance(peaks, dict)
    assert peaks["db_pool_pct"] == 80.0
    assert peaks["metrics"] == {"db_pool_in_use": 8.0, "db_pool_size": 10.0, "queue_depth": 9.0}
    series = data["series"]
    assert isinstance(series, dict) and len(series["elapsed_s"]) == 4
    assert data["target"] == {
        "found": True,
        "label": "pid 3 (demo, by port)",
        "elsewhere": None,
        "rss_trend_mb_per_min": 0.0,
        "rss_trend_r_squared": 1.0,
        "leak_suspected": False,
    }
    lines = history.summary_lines()
    assert lines[0] == "generator: peak CPU 40% (worker 2) busiest process, 45% total; RSS 110 MB"
    assert lines[1] == "system: peak CPU 30%, memory 50%, swap 1%, load 0.50"
    assert lines[2].startswith("target pid 3 (demo, by port): peak CPU 10% (sustained 10%), RSS 100 MB")
    assert "RSS trend +0.00 MB/min" in lines[2]
    assert "db pool 80% of size" in lines[4] and "queue depth 9" in lines[4]
    assert lines[-1].startswith("warning: load generator saturated")


def test_empty_history() -> None:
    history = ResourceHistory()
    assert history.summary_lines() == ["resources: not sampled"]
    assert json.dumps(history.to_dict(), allow_nan=False)


def test_thresholds_pass_fail_and_skip_unmeasured() -> None:
    peaks = ResourcePeaks(target_cpu_sustained_pct=75.0, memory_pct=40.0, metrics={"queue_depth": 12.0})
    limits = ResourceThresholds(target_cpu_pct=70.0, memory_pct=80.0, db_pool_pct=80.0, queue_depth=1000.0)
    results = {r.metric: r for r in evaluate_resource_thresholds(peaks, limits)}
    assert set(results) == {"target_cpu_pct", "memory_pct", "queue_depth"}  # no DB pool scraped
    assert not results["target_cpu_pct"].passed and results["memory_pct"].passed
    assert all(r.endpoint == "resources" for r in results.values())
    assert describe_resource_threshold(results["target_cpu_pct"]) == (
        "FAIL resources target_cpu_pct 75% (limit < 70%)"
    )
    assert describe_resource_threshold(results["queue_depth"]) == "ok resources queue_depth 12 (limit < 1000)"
    disabled = ResourceThresholds(target_cpu_pct=None, memory_pct=None, db_pool_pct=None, queue_depth=None)
    assert evaluate_resource_thresholds(peaks, disabled) == ()


def test_options_from_settings() -> None:
    section = Resources(
        metrics_url="http://127.0.0.1:9/metrics",
        scrape_interval_s=2.0,
        health_path="/health",
        thresholds=ResourceThresholds(target_cpu_pct=70.0, queue_depth=50, memory_pct=None),
    )
    options = ResourceOptions.from_settings(SimpleNamespace(resources=section))
    assert options.metrics_url == "http://127.0.0.1:9/metrics" and options.scrape_interval_s == 2.0
    assert options.health_path == "/health"
    assert options.limits.queue_depth == 50 and options.limits.memory_pct is None
    assert options.limits.target_cpu_pct == 70.0
    assert ResourceOptions.from_settings(SimpleNamespace(resources=None)) == ResourceOptions()
