"""The soak verdict on real runs against the demo target, shortened (its limits scaled to a 40 s run): with
a leak per request and a latency that drifts with time the run is "degrading" and names both trends; the
same run without the knobs is "stable"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_perfconsole

from perfconsole.demo_target.process import start_demo_target

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

LOCUSTFILE = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.02)

    @task
    def products(self):
        self.client.get("/api/products")
"""
# a 40 s run: trends per hour of a short run are large, so the limits are too; r² keeps noise out
CONFIG = """
[thresholds]
p95_ms = 60000
p99_ms = 60000
error_rate_pct = 100
[resources.thresholds]
target_cpu_pct = 100
memory_pct = 100
[soak]
min_duration = "30s"
p95_pct_per_hour = 3000
error_rate_pts_per_hour = 50
target_rss_mb_per_min = 20
generator_rss_mb_per_min = 200
min_r_squared = 0.6
"""


def soak(tmp_path: Path, url: str) -> dict:  # type: ignore[type-arg]
    run = ["run", "--headless", "-f", "soak.py", "--host", url, "-u", "6", "-r", "6", "-t", "40s"]
    done = run_perfconsole([*run, "--workers", "0", "--summary-json"], tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    verdict: dict = json.loads(done.stdout)["soak"]  # type: ignore[type-arg]
    return verdict


def test_a_leak_and_a_drift_are_degrading_a_steady_run_is_stable(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "soak.py").write_text(LOCUSTFILE)
    with start_demo_target(latency_ms=10, jitter_ms=2, seed=3) as demo:
        steady = soak(tmp_path, demo.url)
        demo.control({"leak_kb_per_request": 16, "drift_ms_per_min": 90})
        degrading = soak(tmp_path, demo.url)
    print(f"steady: {steady['text']}; with the knobs: {degrading['text']}")
    assert steady["text"] == "stable", steady
    assert degrading["degrading"] is True, degrading
    named = {t["name"] for t in degrading["trends"] if t["degrading"]}
    assert {"p95", "target RSS"} <= named, degrading
    assert degrading["text"].startswith("degrading: p95 +") and "target RSS +" in degrading["text"]
