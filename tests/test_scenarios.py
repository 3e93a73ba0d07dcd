"""The scenarios: each imports cleanly, and each runs for real (headless Locust) against the demo target."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.hosts import is_loopback_host

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.py"))
EXPECTED = {"notifications", "read_heavy", "write_heavy", "batch", "stress", "health", "auth_flow", "shop"}
DELIBERATE_FAILURES = {"batch": "over budget"}
"""Failures a scenario records on purpose (its own checks), by scenario: a message fragment."""
RAW_ID_SEGMENT = re.compile(r"/\d+(/|$)")


INSPECT_SCRIPT = """
import importlib.util, inspect, json, sys
import locust  # first, as in every entry point (gevent monkey-patching)
from locust import User

report = {}
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("scenario", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    users = [
        {"name": obj.__name__, "doc": inspect.getdoc(obj) or "", "host": obj.host, "weight": obj.weight}
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, User)
        and obj.__module__ == "scenario" and not obj.abstract
    ]
    report[path] = {"doc": module.__doc__ or "", "users": users}
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def scenario_report() -> dict[str, dict[str, Any]]:
    """Each scenario's docstring and User classes, imported in a child process.

    A child keeps Locust's gevent monkey-patching out of the test process.
    """
    completed = subprocess.run(
        [sys.executable, "-c", INSPECT_SCRIPT, *map(str, SCENARIO_FILES)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report: dict[str, dict[str, Any]] = json.loads(completed.stdout)
    return report


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_all_expected_scenarios_exist() -> None:
    assert EXPECTED <= {path.stem for path in SCENARIO_FILES}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_scenario_imports_with_documented_users(
    path: Path, scenario_report: dict[str, dict[str, Any]]
) -> None:
    scenario = scenario_report[str(path)]
    title = scenario["doc"].strip().splitlines()[0] if scenario["doc"].strip() else ""
    assert title and len(title) <= 100, "module docstring must start with a short title line"
    assert scenario["users"], "no User class"
    for user in scenario["users"]:
        assert user["doc"], f"{user['name']} has no docstring"
        host = user["host"]
        assert host is None or is_loopback_host(urlsplit(host).hostname or ""), f"non-loopback host {host}"


def test_shop_weights_admins_one_to_nine_shoppers(scenario_report: dict[str, dict[str, Any]]) -> None:
    weights = {
        user["name"]: user["weight"] for user in scenario_report[str(SCENARIOS_DIR / "shop.py")]["users"]
    }
    assert weights == {"AdminUser": 1, "ShopperUser": 9}


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_scenario_runs_against_demo_target(
    path: Path, demo_target: DemoTargetProcess, tmp_path: Path
) -> None:
    """A real 3 s headless run, 5 users: requests happen, no 404/connection errors, no unplanned failures."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(path),
            "--headless",
            "-u",
            "5",
            "-r",
            "5",
            "-t",
            "3s",
            "--host",
            demo_target.url,
            "--only-summary",
            "--csv",
            str(tmp_path / "run"),
        ],
        cwd=tmp_path,  # no locust.conf / pyproject settings picked up from elsewhere
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]  # 1 = some requests failed
    stats = read_csv(tmp_path / "run_stats.csv")
    failures = read_csv(tmp_path / "run_failures.csv")

    aggregated = next(row for row in stats if row["Name"] == "Aggregated")
    assert int(aggregated["Request Count"]) > 0
    endpoints = [row for row in stats if row["Name"] != "Aggregated"]
    assert all(int(row["Request Count"]) > 0 for row in endpoints)
    assert not [row["Name"] for row in endpoints if RAW_ID_SEGMENT.search(row["Name"])], (
        "ids not grouped by name="
    )

    allowed = DELIBERATE_FAILURES.get(path.stem)
    unplanned = [row for row in failures if allowed is None or allowed not in row["Error"]]
    assert not unplanned, f"unexpected failures: {[(row['Name'], row['Error']) for row in unplanned]}"
