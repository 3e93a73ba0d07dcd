"""The validity stamp on real runs: a load generator overwhelmed by many users against a fast target on one
worker (HttpUser with some work per answer: the generator, not the target, is what cannot keep up, on a quiet
machine or a busy one) is stamped invalid, and a
comparison with it is refused with the reason (exit 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_perfconsole

from perfconsole.demo_target.process import start_demo_target
from perfconsole.errors import ExitCode

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

LOCUSTFILE = """
import time
from locust import HttpUser, task

class Hammer(HttpUser):
    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
        # and 2 ms of work on each answer, as a heavy locustfile does: 200 users need 0.4 s of the worker's
        # loop per round, so it is overwhelmed whatever share of the machine's CPU it gets
        done = time.perf_counter() + 0.002
        while time.perf_counter() < done:
            pass
"""
CONFIG = """
[thresholds]
p95_ms = 60000
p99_ms = 60000
error_rate_pct = 100
[thresholds.endpoints."/api/v1/health*"]
p95_ms = 60000
p99_ms = 60000
[resources.thresholds]
target_cpu_pct = 100
memory_pct = 100
"""


def test_a_saturated_generator_is_invalid_and_its_comparison_refused(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "hammer.py").write_text(LOCUSTFILE)
    with start_demo_target(latency_ms=0, jitter_ms=0, seed=1) as demo:
        calm = [
            "run",
            "--headless",
            "-f",
            "hammer.py",
            "--host",
            demo.url,
            "--workers",
            "1",
            "--summary-json",
        ]
        gentle = run_perfconsole([*calm, "-u", "1", "-r", "1", "-t", "4s", "--save", "gentle"], tmp_path)
        assert gentle.returncode == 0, gentle.stderr[-2000:]
        saved = run_perfconsole(["baseline", "save", "gentle", "calm"], tmp_path)
        assert saved.returncode == 0, saved.stderr

        hammer = [*calm, "-u", "200", "-r", "200", "-t", "12s", "--baseline", "calm"]
        saturated = run_perfconsole(hammer, tmp_path)
    summary = json.loads(saturated.stdout)
    validity = summary["validity"]
    assert validity["valid"] is False, validity
    # saturated (CPU at the limit) or lagging (starved of CPU on a busy machine): either is named
    assert any(r.startswith(("generator saturated:", "generator lagging:")) for r in validity["reasons"])
    comparison = summary["comparison"]
    assert comparison["invalid"] is True and comparison["regressed"] is False
    assert comparison["refused"][0].startswith("this run is invalid: generator ")
    assert saturated.returncode == ExitCode.INVALID, saturated.stderr[-2000:]
    assert summary["exit_reason"].startswith("invalid measurement (this run is invalid: generator ")
    # compare refuses it too, and names why
    table = run_perfconsole(["compare", "calm", "latest"], tmp_path)
    assert table.returncode == ExitCode.INVALID
    assert (
        "RESULT: NOT JUDGED (invalid measurement):" in table.stdout
        and "is invalid: generator " in table.stdout
    )
