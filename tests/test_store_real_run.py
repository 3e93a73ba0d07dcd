"""Snapshots of real runs: headless Locust users against the demo target, saved, reloaded, compared.

The second run is made against the same target slowed down through its control endpoint, so the
comparison must flag a regression (exit 11) while comparing a run with its own baseline must not.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_perfconsole

from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.headless.summary_json import summary_dict
from perfconsole.store.runs import load_run

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """
[thresholds]
p50_ms = 5000
p95_ms = 5000
p99_ms = 5000
error_rate_pct = 50
min_rps = 1

[regression]
min_samples = 10
min_abs_ms = 5
"""
SECRETS = ("SECRETHOSTPW", "SECRETNOTEKEY")


def headless_run(workdir: Path, url: str, save: str) -> dict[str, Any]:
    host = url.replace("http://", "http://alice:SECRETHOSTPW@")
    proc = run_perfconsole(
        ["run", "--headless", "--scenario", "health", "-u", "6", "-r", "6", "-t", "4s", "--workers", "0",
         "--host", host, "--save", save, "--note", "rotated api_key=SECRETNOTEKEY", "--summary-json"],
        workdir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary: dict[str, Any] = json.loads(proc.stdout)
    return summary


@pytest.mark.slow
def test_real_runs_round_trip_and_regression(
    tmp_path: Path, demo_target: DemoTargetProcess, demo_control: Any
) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    runs_dir = tmp_path / "runs"

    fast = headless_run(tmp_path, demo_target.url, "fast")
    fast_dir = Path(fast["run_dir"])
    assert fast_dir.parent == runs_dir
    loaded = load_run(fast_dir.name, runs_dir)
    total = loaded.result.final.total
    assert total.num_requests >= 20 and total.num_requests == fast["total"]["requests"]
    reloaded = summary_dict(loaded.result)
    assert reloaded["total"] == fast["total"] and reloaded["endpoints"] == fast["endpoints"]
    assert len(loaded.history) >= 3 and loaded.annotations and loaded.note
    with open(fast_dir / "locust_stats.csv", newline="") as handle:
        aggregated = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    assert int(aggregated["Request Count"]) == total.num_requests

    assert run_perfconsole(["baseline", "save", fast_dir.name, "base"], tmp_path).returncode == 0
    same = run_perfconsole(["compare", "base", fast_dir.name], tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr

    demo_control(latency_ms=40.0)
    slow = headless_run(tmp_path, demo_target.url, "slow")
    slow_id = Path(slow["run_dir"]).name
    compared = run_perfconsole(["compare", "base", slow_id, "--json"], tmp_path)
    assert compared.returncode == 11, compared.stderr
    comparison = json.loads(compared.stdout)
    assert comparison["baseline"] == "baseline base" and comparison["current"] == slow_id
    assert {"endpoint": "Aggregated", "metric": "p50"} in [
        {"endpoint": r["endpoint"], "metric": r["metric"]} for r in comparison["regressions"]
    ]
    listing = json.loads(run_perfconsole(["runs", "--json"], tmp_path).stdout)
    assert [r["id"] for r in listing["runs"]] == [slow_id, fast_dir.name]
    assert [b["name"] for b in listing["baselines"]] == ["base"]

    for path in runs_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(s.encode() in content for s in SECRETS), f"secret leaked into {path}"
