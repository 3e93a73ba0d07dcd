"""Noise-aware verdicts on real runs against the demo target: identical runs while a CPU hog competes for
the machine are within noise; the target made 3x slower is a regression, reported with its interval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_perfconsole
from cpu_hog import cpu_hog

from perfconsole.demo_target.process import start_demo_target
from perfconsole.errors import ExitCode

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

LOCUSTFILE = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.005)

    @task(3)
    def products(self):
        self.client.get("/api/products")

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
"""
CONFIG = """
[thresholds]
p95_ms = 5000
error_rate_pct = 50
[thresholds.endpoints."/api/v1/health*"]
p95_ms = 5000
p99_ms = 5000
[resources.thresholds]
target_cpu_pct = 100
memory_pct = 100
"""


def test_identical_runs_under_a_cpu_hog_are_within_noise_and_3x_slower_is_a_regression(
    tmp_path: Path,
) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "steady.py").write_text(LOCUSTFILE)
    with start_demo_target(latency_ms=20, jitter_ms=4, seed=1) as demo, cpu_hog(150):
        run = ["run", "--headless", "-f", "steady.py", "--host", demo.url, "-u", "10", "-r", "10", "-t", "6s"]
        run += ["--workers", "0", "--summary-json"]
        first = run_perfconsole([*run, "--save", "before"], tmp_path)
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["total"]["requests"] >= 300  # p95 is judged from 200 a side
        saved = run_perfconsole(["baseline", "save", "before", "good"], tmp_path)
        assert saved.returncode == 0, saved.stderr

        same = run_perfconsole([*run, "--baseline", "good"], tmp_path)
        comparison = json.loads(same.stdout)["comparison"]
        assert same.returncode == 0, (same.returncode, [r["text"] for r in comparison["regressions"]])
        assert not comparison["regressed"] and comparison["regressions"] == []

        demo.control({"latency_ms": 60})
        slowed = run_perfconsole([*run, "--baseline", "good"], tmp_path)
    failed = [t for t in json.loads(slowed.stdout)["thresholds"] if not t["passed"]]
    assert slowed.returncode == ExitCode.REGRESSION, failed
    regressions = json.loads(slowed.stdout)["comparison"]["regressions"]
    latency = [
        r for r in regressions if r["endpoint"] == "GET /api/products" and r["metric"] in ("p50", "p95")
    ]
    assert latency, regressions
    for found in latency:  # each reported with an interval that holds the change and lies above zero
        assert 0 < found["ci95_low"] <= found["rel_delta"] <= found["ci95_high"], found
        assert "95% CI" in found["text"]
    table = run_perfconsole(["compare", "good", "latest"], tmp_path)
    assert table.returncode == ExitCode.REGRESSION
    assert "GET /api/products p" in table.stdout and "(95% CI +" in table.stdout, table.stdout
