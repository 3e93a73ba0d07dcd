"""Profiles with user-class weights and fixed counts: parsed from config.toml, checked against the
locustfile before anything starts, applied by Locust's master in every mode, shown and saved."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cli_helpers import run_perfconsole

from perfconsole.config import load_settings
from perfconsole.errors import ConfigError, UserError
from perfconsole.user_mix import UserMix, apply_profile_mix, check_classes

TWO_CLASSES = '''"""Two user classes on distinct request names."""
from locust import HttpUser, constant, task


class FirstUser(HttpUser):
    wait_time = constant(0.2)

    @task
    def first(self) -> None:
        self.client.get("/api/v1/health/", name="first")


class SecondUser(HttpUser):
    wait_time = constant(0.2)

    @task
    def second(self) -> None:
        self.client.get("/api/v1/health/ping", name="second")
'''

CONFIG = """
[thresholds]
p95_ms = 5000
min_rps = false

[profiles.tenzero]
users = 4
spawn_rate = 4
duration = "5s"
[profiles.tenzero.weights]
FirstUser = 10
SecondUser = 0

[profiles.oneadmin]
users = 3
spawn_rate = 3
duration = "4s"
[profiles.oneadmin.weights]
FirstUser = 1
SecondUser = 0
[profiles.oneadmin.fixed_count]
SecondUser = 1

[profiles.typo]
users = 2
spawn_rate = 2
[profiles.typo.weights]
FirstUser = 1
SecnodUser = 3
"""


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "mix.py").write_text(TWO_CLASSES)
    return tmp_path


def test_profile_mix_from_config(workdir: Path) -> None:
    settings = load_settings(workdir / "config.toml")
    assert settings.profile("tenzero").mix == UserMix({"FirstUser": 10.0, "SecondUser": 0.0})
    assert settings.profile("oneadmin").mix.fixed_count == {"SecondUser": 1}
    assert (
        settings.profile("oneadmin").mix.describe() == "weights FirstUser=1 SecondUser=0; fixed SecondUser=1"
    )
    assert not settings.profile("typo").mix.fixed_count


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[profiles.x.weights]\nA = -1", "profiles.x.weights.A: expected a weight from 0"),
        ('[profiles.x.weights]\nA = "ten"', "profiles.x.weights.A: expected a weight"),
        ("[profiles.x.fixed_count]\nA = 1.5", "profiles.x.fixed_count.A: expected a whole number"),
        ("[profiles.x]\nweights = 3", "profiles.x.weights: expected a table"),
    ],
)
def test_bad_mix_values_are_one_line(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[profiles.x]\nusers = 1\nspawn_rate = 1\n{table.replace('[profiles.x]', '')}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_unknown_class_names_the_profile_and_the_class() -> None:
    with pytest.raises(UserError) as caught:
        check_classes(UserMix({"FirstUser": 1, "SecnodUser": 3}), "typo", ["FirstUser", "SecondUser"])
    assert (
        str(caught.value) == "profile 'typo': unknown user class 'SecnodUser'; known: FirstUser, SecondUser"
    )


def test_apply_sets_locust_attributes_and_refuses_an_empty_mix() -> None:
    first = type("FirstUser", (), {"weight": 1, "fixed_count": 0})
    second = type("SecondUser", (), {"weight": 1, "fixed_count": 0})
    info = SimpleNamespace(
        path=Path("mix.py"),
        user_classes=[SimpleNamespace(name="FirstUser"), SimpleNamespace(name="SecondUser")],
    )
    scenario = SimpleNamespace(info=info, user_classes={"FirstUser": first, "SecondUser": second})
    mix = UserMix({"FirstUser": 10}, {"SecondUser": 2})
    apply_profile_mix(SimpleNamespace(name="p", mix=mix), scenario)
    assert (first.weight, second.weight, second.fixed_count) == (10, 1, 2)
    with pytest.raises(UserError, match="every user class has weight 0"):
        apply_profile_mix(
            SimpleNamespace(name="p", mix=UserMix({"FirstUser": 0, "SecondUser": 0}, {"SecondUser": 0})),
            scenario,
        )


def run_json(workdir: Path, target: Any, *args: str) -> dict[str, Any]:
    proc = run_perfconsole(
        ["run", "--headless", "-f", "mix.py", "--host", target.url, "--summary-json", *args], workdir
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def requests_by_name(summary: dict[str, Any]) -> dict[str, int]:
    return {e["name"]: e["requests"] for e in summary["endpoints"]}


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ten_to_zero_weights_send_every_request_from_the_first_class_with_workers(
    workdir: Path, demo_target: Any
) -> None:
    summary = run_json(workdir, demo_target, "--load-profile", "tenzero", "--workers", "2")
    assert summary["worker_count"] == 2
    counts = requests_by_name(summary)
    assert counts.get("first", 0) > 20 and "second" not in counts, counts
    meta = tomllib.loads((Path(summary["run_dir"]) / "run.toml").read_text())
    assert meta["settings"]["weights"] == {"FirstUser": 10.0, "SecondUser": 0.0}


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_fixed_count_in_process(workdir: Path, demo_target: Any) -> None:
    """One SecondUser by fixed count although its weight is 0; the other users are FirstUsers."""
    summary = run_json(workdir, demo_target, "--load-profile", "oneadmin", "--workers", "0")
    counts = requests_by_name(summary)
    assert counts.get("second", 0) > 0 and counts.get("first", 0) > counts["second"], counts
    meta = tomllib.loads((Path(summary["run_dir"]) / "run.toml").read_text())
    assert meta["settings"]["fixed_count"] == {"SecondUser": 1}


@pytest.mark.slow
def test_unknown_class_stops_before_anything_starts(workdir: Path) -> None:
    proc = run_perfconsole(
        ["run", "--headless", "-f", "mix.py", "--load-profile", "typo", "--workers", "0"], workdir
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "perfconsole: error: profile 'typo': unknown user class 'SecnodUser' (mix.py); "
        "known: FirstUser, SecondUser"
    )
    assert "Traceback" not in proc.stderr
    assert not (workdir / "runs").exists() or not any((workdir / "runs").iterdir())


def test_start_screen_profile_line_shows_the_mix(workdir: Path) -> None:
    from perfconsole.tui.views.start import profile_line

    line = profile_line(load_settings(workdir / "config.toml").profile("oneadmin"))
    assert line == "3 users @3/s for 0:04; weights FirstUser=1 SecondUser=0; fixed SecondUser=1"
