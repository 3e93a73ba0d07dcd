"""``perfconsole run`` takes Locust's options from Locust's sources (locust.conf, pyproject.toml
[tool.locust], LOCUST_* variables) with Locust's precedence, custom arguments reach ``parsed_options`` on the
master and the workers, and CI's LOAD_PROFILE / TARGET_HOST choose profile and target. Real runs against
the demo target, a couple of seconds each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import ROOT, free_port

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target

CONFIG = """
[run]
runs_dir = "runs"
[thresholds]
p50_ms = 5000
p95_ms = 5000
p99_ms = 5000
error_rate_pct = 50
min_rps = false
[profiles.medium]
users = 3
spawn_rate = 3
duration = "1m"
[profiles.light]
users = 1
spawn_rate = 1
duration = "1m"
"""

LOCUSTFILE = """
import os
from locust import HttpUser, constant, events, task
from locust.runners import WorkerRunner


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--greeting", default="hi", help="a custom argument")


@events.test_start.add_listener
def _(environment, **kwargs):
    where = "worker" if isinstance(environment.runner, WorkerRunner) else "master"
    if os.environ.get("HOOK_OUT"):
        with open(os.environ["HOOK_OUT"], "a") as out:
            out.write(f"{where} {environment.parsed_options.greeting}\\n")


class {name}(HttpUser):
    wait_time = constant(0.2)

    @task
    def health(self):
        self.client.get("/api/v1/health/")
"""


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=1) as demo:
        yield demo


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A Locust project: two locustfiles (user classes ``First`` and ``Second``) and perfconsole settings."""
    (tmp_path / "first.py").write_text(LOCUSTFILE.replace("{name}", "First"))
    (tmp_path / "second.py").write_text(LOCUSTFILE.replace("{name}", "Second"))
    (tmp_path / "config.toml").write_text(CONFIG)
    return tmp_path


def perfconsole(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "PERFCONSOLE_"))}
    clean = {k: v for k, v in clean.items() if k not in ("LOAD_PROFILE", "TARGET_HOST")}
    return subprocess.run(
        [sys.executable, "-m", "perfconsole", "run", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**clean, "PYTHONPATH": str(ROOT), "HOME": str(project), **(env or {})},
    )


def summary(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-3000:]
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def started_users(data: dict[str, object]) -> str:
    annotations = data["annotations"]
    assert isinstance(annotations, list)
    return next(a["text"] for a in annotations if a["kind"] == "users")


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.parametrize("source", ["locust.conf", "pyproject.toml", "environment"])
def test_a_locust_config_source_selects_locustfile_host_and_users(
    source: str, project: Path, target: DemoTargetProcess
) -> None:
    settings = {"locustfile": "second.py", "host": target.url, "users": "2", "spawn-rate": "2"}
    env: dict[str, str] = {}
    if source == "locust.conf":
        (project / "locust.conf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    elif source == "pyproject.toml":
        body = "".join(f'{k} = "{v}"\n' for k, v in settings.items())
        (project / "pyproject.toml").write_text(f"[tool.locust]\n{body}")
    else:
        env = {f"LOCUST_{k.upper().replace('-', '_')}": v for k, v in settings.items()}
    data = summary(
        perfconsole(project, "--headless", "--workers", "0", "-t", "2s", "--summary-json", env=env)
    )
    assert Path(str(data["scenario_path"])).name == "second.py"
    assert data["host"] == target.url
    assert started_users(data) == "started: 2 users at 2/s"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_flag_beats_environment_beats_config_file(project: Path, target: DemoTargetProcess) -> None:
    (project / "locust.conf").write_text(f"locustfile = second.py\nhost = {dead_url()}\nusers = 5\n")
    env = {"LOCUST_HOST": target.url, "LOCUST_USERS": "4"}
    done = perfconsole(
        project, "--headless", "-f", "first.py", "-u", "3", "-r", "3", "--workers", "0", "-t", "2s",
        "--summary-json", env=env,
    )  # fmt: skip
    data = summary(done)
    assert Path(str(data["scenario_path"])).name == "first.py"  # flag over locust.conf
    assert data["host"] == target.url  # LOCUST_HOST over locust.conf
    assert started_users(data) == "started: 3 users at 3/s"  # flag over LOCUST_USERS over locust.conf


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_custom_argument_reaches_parsed_options_on_master_and_workers(
    project: Path, target: DemoTargetProcess
) -> None:
    hooks = project / "hooks.txt"
    done = perfconsole(
        project, "--headless", "-f", "first.py", "-H", target.url, "-u", "2", "-r", "2", "-t", "3s",
        "--workers", "1", "--greeting", "hello", env={"HOOK_OUT": str(hooks)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(hooks.read_text().splitlines()) == ["master hello", "worker hello"]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_load_profile_and_target_host_choose_the_run_and_flags_beat_them(
    project: Path, target: DemoTargetProcess
) -> None:
    env = {"LOAD_PROFILE": "medium", "TARGET_HOST": target.url}
    data = summary(perfconsole(project, "--headless", "-f", "first.py", "--workers", "0", "-t", "2s",
                               "--summary-json", env=env))  # fmt: skip
    assert data["profile"] == "medium" and data["host"] == target.url
    assert started_users(data) == "started: 3 users at 3/s"  # medium's users, from config.toml

    env = {"LOAD_PROFILE": "medium", "TARGET_HOST": dead_url()}
    done = perfconsole(project, "--headless", "-f", "first.py", "--workers", "0", "-t", "2s", "-p",
                       "light", "--host", target.url, "--summary-json", env=env)  # fmt: skip
    data = summary(done)
    assert data["profile"] == "light" and data["host"] == target.url

    # --profile keeps Locust's meaning: a run label (in the HTML report), not a load profile
    done = perfconsole(project, "--headless", "-f", "first.py", "--workers", "0", "-t", "2s", "--profile",
                       "nightly", "--host", target.url, "--summary-json", env=env)  # fmt: skip
    data = summary(done)
    assert data["profile"] == "medium"  # LOAD_PROFILE still chooses the load profile
    report = (Path(data["run_dir"]) / "report.html").read_text()
    assert '"profile": "nightly"' in report


def one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("perfconsole: error:"), done.stderr
    assert all(word in lines[0] for word in words), lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.slow
def test_bad_input_is_one_line_and_exit_2(project: Path) -> None:
    one_line_error(perfconsole(project, "--headless", "-f", "first.py", "--no-such-flag"), "--no-such-flag")
    one_line_error(perfconsole(project, "--headless", "-f", "first.py", "--greting", "x"), "--greeting")
    one_line_error(perfconsole(project, "--headless", "-f", "first.py", "Nobody"), "Nobody", "First")
    (project / "locust.conf").write_text("locustfile = first.py\nuserz = 3\n")
    one_line_error(perfconsole(project, "--headless"), "userz", "config file")
    (project / "locust.conf").write_text("locustfile = first.py\nusers = many\n")
    one_line_error(perfconsole(project, "--headless"), "users", "many")
    (project / "locust.conf").unlink()
    one_line_error(perfconsole(project, "--headless", "-f", "missing.py"), "missing.py")
    one_line_error(perfconsole(project, "--headless", "--worker", "-f", "first.py"), "--worker")


@pytest.mark.slow
def test_list_prints_the_user_classes_as_locust_does(project: Path) -> None:
    done = perfconsole(project, "-f", "first.py,second.py", "-l")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Available Users:", "    First", "    Second"]


@pytest.mark.slow
def test_short_options_keep_locusts_meaning(project: Path) -> None:
    """``-s`` is Locust's --stop-timeout, ``--processes`` maps onto worker processes, and the plan builder
    resolves them (parsed in a fresh interpreter: the locustfile's listeners stay out of this one)."""
    code = (
        "import locust, sys\n"
        "from perfconsole.cli.run import parse_run_options\n"
        "from perfconsole.engine.plan_builder import build_plan, settings_for\n"
        "parsed = parse_run_options(sys.argv[1:])\n"
        "plan = build_plan(parsed.options, settings_for(parsed.options), parsed.locustfiles,\n"
        "                  parsed_options=parsed.locust_namespace())\n"
        "options = plan.parsed_options\n"
        "print(plan.stop_timeout_s, plan.workers, plan.scenario_path.name, plan.user_classes,\n"
        "      options.greeting, options.stop_timeout, hasattr(options, 'workers'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--headless", "-f", "first.py", "-s", "5", "--processes", "3",
         "--greeting", "hey", "First"],
        cwd=project, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5.0", "3", "first.py", "('First',)", "hey", "5", "False"]


@pytest.mark.slow
def test_config_names_locusts_config_file_and_task_ratio_is_locusts(project: Path) -> None:
    """``--config FILE`` is Locust's config file (perfconsole's settings file is ``--settings``)."""
    (project / "ci.conf").write_text("locustfile = second.py\n")
    done = perfconsole(project, "--config", "ci.conf", "-l")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Available Users:", "    Second"]
    done = perfconsole(project, "--config", "ci.conf", "--show-task-ratio-json")
    assert done.returncode == 0, done.stderr
    ratios = json.loads(done.stdout)
    assert set(ratios["per_class"]) == {"Second"} and ratios["per_class"]["Second"]["ratio"] == 1.0
