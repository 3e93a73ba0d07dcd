"""Headless runs compared with a baseline: slowing exactly one endpoint of the real demo target between two
real runs makes `run --headless --baseline` exit 11 and name exactly that endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_perfconsole

from perfconsole.demo_target.process import start_demo_target

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = '''
"""Three endpoints at a steady pace."""
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.01)

    @task
    def products(self):
        self.client.get("/api/products")

    @task
    def dashboard(self):
        self.client.get("/api/dashboard")

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
'''
CONFIG = """
[thresholds]
p50_ms = 5000
p95_ms = 5000
p99_ms = 5000
error_rate_pct = 50
min_rps = 1
[regression]
min_samples = 50
min_abs_ms = 25
"""


@pytest.mark.slow
def test_baseline_regression_exit_11_names_the_slowed_endpoint(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "steady.py").write_text(LOCUSTFILE)
    with start_demo_target(latency_ms=2, jitter_ms=0.5, seed=1) as demo:
        run = [
            "run",
            "--headless",
            "-f",
            "steady.py",
            "--host",
            demo.url,
            "-u",
            "4",
            "-r",
            "4",
            "-t",
            "4s",
            "--workers",
            "0",
            "--summary-json",
        ]
        first = run_perfconsole([*run, "--save", "before"], tmp_path)
        assert first.returncode == 0, first.stderr
        run_id = Path(json.loads(first.stdout)["run_dir"]).name
        saved = run_perfconsole(["baseline", "save", run_id, "good", "--note", "before the change"], tmp_path)
        assert saved.returncode == 0, saved.stderr

        same = run_perfconsole([*run, "--baseline", "good"], tmp_path)
        assert same.returncode == 0, same.stdout[-2000:] + same.stderr

        demo.control({"path_latency_ms": {"/api/products": 60}})
        slowed = run_perfconsole([*run, "--baseline", "good"], tmp_path)
    assert slowed.returncode == 11, slowed.stderr
    summary = json.loads(slowed.stdout)
    comparison = summary["comparison"]
    regressed = {row["endpoint"] for row in comparison["rows"] if row["regressed"]}
    assert "GET /api/products" in regressed
    assert regressed - {"GET /api/products", "Aggregated"} == set()
    assert summary["exit_code"] == 11
    assert summary["exit_reason"] == "a regression against the baseline"


@pytest.mark.slow
def test_missing_baseline_is_a_usage_error_before_running(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    proc = run_perfconsole(
        [
            "run",
            "--headless",
            "--scenario",
            str(ROOT / "scenarios" / "health.py"),
            "--baseline",
            "nope",
            "--workers",
            "0",
            "-t",
            "2s",
        ],
        tmp_path,
    )
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "runs").exists() or not any(
        p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")
    )
