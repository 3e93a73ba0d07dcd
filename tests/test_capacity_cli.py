"""``perfconsole run --headless --find-capacity``: flags, the printed answer, capacity.json, the summary JSON,
data.json, ``--require-capacity`` (exit 13) and ``perfconsole compare`` of two searches; real runs against the
demo target on 127.0.0.1, each bounded by a small ``--search-max``."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from cli_helpers import run_perfconsole

from perfconsole.cli.search_options import FLAGS, required_capacity, search_from_options
from perfconsole.config import default_settings
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.errors import UserError
from perfconsole.model.capacity import SearchMode

PRODUCTS = Path(__file__).resolve().parent / "locust_projects" / "capacity" / "products.py"
QUICK = [
    "--search-start",
    "20",
    "--search-max",
    "40",
    "--search-settle",
    "1s",
    "--search-step-time",
    "2s",
    "--search-confirm",
    "2s",
    "--search-min-requests",
    "20",
]


def headless(host: str, *extra: str) -> list[str]:
    return ["run", "--headless", "-f", str(PRODUCTS), "--host", host, "--workers", "0", "-u", "5", *extra]


FLAG_DESTS = {flag: dest for flag, _metavar, dest, _text in FLAGS}


def options(*args: str) -> argparse.Namespace:
    """The parsed flags as Locust's parser leaves them (strings; absent: None)."""
    values: dict[str, object] = {dest: None for dest in FLAG_DESTS.values()}
    values |= {"find_capacity": None, "require_capacity": None}
    position = 0
    while position < len(args):
        flag = args[position]
        value = (
            args[position + 1] if position + 1 < len(args) and not args[position + 1].startswith("--") else ""
        )
        dest = FLAG_DESTS.get(flag) or flag.removeprefix("--").replace("-", "_")
        values[dest] = value
        position += 2 if value else 1
    return argparse.Namespace(**values)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--search-step", "50"], "--search-step needs --find-capacity"),
        (["--require-capacity", "10"], "--require-capacity needs --find-capacity"),
        (
            ["--find-capacity", "--search-start", "fast"],
            "--search-start: expected a number above 0, got 'fast'",
        ),
        (["--find-capacity", "users", "--search-start", "2.5"], "--search-start: expected a whole number"),
        (["--find-capacity", "--search-settle", "soon"], "--search-settle:"),
        (["--find-capacity", "--search-max", "5", "--search-start", "10"], "--search-max: expected at least"),
        (["--find-capacity", "--search-resolution", "100"], "--search-resolution: expected a percentage"),
        (["--find-capacity", "sideways"], "--find-capacity: expected rate or users, got 'sideways'"),
        (["--find-capacity", "--search-step-scale", "auto"], "--search-step-scale: expected fixed or margin"),
    ],
)
def test_bad_search_flags_are_one_line_errors(args: list[str], message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        search_from_options(options(*args), default_settings())


def test_flags_over_the_search_settings() -> None:
    found = search_from_options(
        options(
            "--find-capacity", "users", "--search-start", "4", "--search-confirm", "0", "--search-step", "50"
        ),
        default_settings(),
    )
    assert found is not None
    mode, spec = found
    assert mode is SearchMode.USERS and (spec.start, spec.confirm_s, spec.step_pct) == (4, 0.0, 50)
    assert spec.resolution_pct == default_settings().search.resolution_pct
    assert spec.step_scale == "fixed"
    scaled = search_from_options(
        options("--find-capacity", "--search-step-scale", "Margin"), default_settings()
    )
    assert scaled is not None and scaled[1].step_scale == "margin"
    assert search_from_options(options(), default_settings()) is None
    with pytest.raises(UserError, match="--require-capacity: expected a number above 0"):
        required_capacity(options("--find-capacity", "--require-capacity", "-3"))


@pytest.mark.slow
def test_a_bad_flag_exits_2_with_one_line(tmp_path: Path) -> None:
    done = run_perfconsole(
        headless("http://127.0.0.1:9", "--find-capacity", "--search-step", "x"), cwd=tmp_path
    )
    assert done.returncode == 2
    assert "--search-step: expected a number above 0, got 'x'" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_headless_search_prints_saves_and_requires(tmp_path: Path, demo_target: DemoTargetProcess) -> None:
    short = run_perfconsole(
        headless(demo_target.url, "--find-capacity", *QUICK, "--require-capacity", "100000"),
        cwd=tmp_path,
        timeout=120,
    )
    assert short.returncode == 13, short.stdout + short.stderr
    assert "Capacity search (rate, judged by p95 < 500 ms, error rate < 1 %): done" in short.stdout
    assert "SLO capacity 40/s" in short.stdout and "confirmed" in short.stdout
    assert "step 1: 20/s -> " in short.stderr and "capacity search done: SLO capacity 40/s" in short.stderr
    assert "Exit code 13: SLO capacity" in short.stdout and "below the required 100000 req/s" in short.stdout
    runs = sorted((tmp_path / "runs").iterdir())
    assert len(runs) == 1
    saved = json.loads((runs[0] / "capacity.json").read_text())
    assert saved["format"] == "perfconsole-capacity/1" and saved["state"] == "done"
    assert [s["level"] for s in saved["steps"]] == [20, 40, 40]
    assert [s["phase"] for s in saved["steps"]] == ["grow", "grow", "confirm"]
    assert all(s["verdict"] == "pass" and s["total"]["requests"] >= 20 for s in saved["steps"])
    assert saved["steps"][0]["endpoints"][0]["name"] == "/api/products"
    assert "capacity.json" in (runs[0] / "run.toml").read_text()
    data = json.loads((runs[0] / "data.json").read_text())
    assert data["result"]["capacity"]["capacity"] == 40

    enough = run_perfconsole(
        headless(demo_target.url, "--find-capacity", *QUICK, "--require-capacity", "5", "--summary-json"),
        cwd=tmp_path,
        timeout=120,
    )
    assert enough.returncode == 0, enough.stderr
    summary = json.loads(enough.stdout)
    assert summary["capacity"]["capacity"] == 40 and summary["capacity"]["confirmed"] is True
    assert summary["exit_code"] == 0

    first, second = sorted(p.name for p in (tmp_path / "runs").iterdir())
    compared = run_perfconsole(["compare", first, second, "--json"], cwd=tmp_path, timeout=60)
    capacity = json.loads(compared.stdout)["capacity"]
    assert capacity["baseline_rps"] > 0 and capacity["current_rps"] > 0
    change = abs(capacity["current_rps"] - capacity["baseline_rps"]) / capacity["baseline_rps"] * 100
    assert capacity["within_resolution"] is (change < 5.0)
    text = run_perfconsole(["compare", first, second], cwd=tmp_path, timeout=60).stdout
    assert "SLO capacity: baseline" in text


HAMMER = """
import time
from locust import HttpUser, task

class Hammer(HttpUser):
    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
        # and 10 ms of work on each answer, as a heavy locustfile does: 20 users need 0.2 s of the worker's
        # loop per round, so it is overwhelmed whatever share of the machine's CPU it gets (few users: they
        # spawn in a moment even so)
        done = time.perf_counter() + 0.010
        while time.perf_counter() < done:
            pass
"""
LAX = """
[thresholds]
p95_ms = 60000
error_rate_pct = 100
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_search_the_generator_limits_says_so_instead_of_a_capacity(tmp_path: Path) -> None:
    # users of Locust's HttpUser with work on each answer, on one worker, against a target that answers
    # at once: the load generator, not the target, is what stops keeping up (saturated, or lagging)
    (tmp_path / "config.toml").write_text(LAX)
    (tmp_path / "hammer.py").write_text(HAMMER)
    with start_demo_target(latency_ms=0, jitter_ms=0, seed=1) as demo:
        args = ["run", "--headless", "-f", "hammer.py", "--host", demo.url, "--workers", "1", "-u", "10"]
        args += [
            "--summary-json",
            "--find-capacity",
            "users",
            "--search-start",
            "20",
            "--search-max",
            "3200",
        ]
        args += ["--search-settle", "2s", "--search-step-time", "5s", "--search-min-requests", "50"]
        done = run_perfconsole([*args, "--require-capacity", "1"], tmp_path, timeout=280)
    summary = json.loads(done.stdout)
    capacity = summary["capacity"]
    lines = [s["line"] for s in capacity["steps"]]
    assert capacity["state"] == "saturated", lines
    assert capacity["capacity"] is None and capacity["answer"].startswith("no capacity: the load generator")
    assert capacity["binding"]["side"] == "generator"
    last_two = capacity["steps"][-2:]
    assert all(s["generator_limited"] for s in last_two) and last_two[0]["level"] == last_two[1]["level"]
    assert any(r.startswith(("generator saturated:", "generator lagging:")) for r in last_two[-1]["invalid"])
    assert done.returncode == 13 and summary["exit_reason"].startswith("no SLO capacity found")
