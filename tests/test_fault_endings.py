"""Fault injection, run endings: a load shape whose ``tick()`` raises ends the run on its error (exit 1, the
error as the reason, a complete run saved), in process and with workers; a worker SIGKILLed during the
shutdown after a first SIGINT is recorded (a warning in the saved run), not silently missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from cli_helpers import ROOT
from test_fault_signals import SETTINGS, _popen, _wait_for_line

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.model.run_end import EndKind
from perfconsole.model.run_warnings import WarningKind
from perfconsole.store.runs import list_runs, load_run_dir

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

PROJECTS = Path(__file__).resolve().parent / "locust_projects"
RAISING = PROJECTS / "endings" / "shape_raises.py"
RUN_BOUND_S = 90
"""A raising shape used to run forever; here it raises 2 s in and the run must end well within this."""


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=2) as demo:
        yield demo


@pytest.mark.parametrize("workers", ["0", "2"], ids=["in-process", "2-workers"])
def test_a_raising_shape_ends_the_run_on_its_error(
    tmp_path: Path, target: DemoTargetProcess, workers: str
) -> None:
    (tmp_path / "config.toml").write_text("")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECTS), str(ROOT)]),
        "DROPIN_HOST": target.url,
        "DROPIN_LOG": str(tmp_path / "events.log"),
    }
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "-f", str(RAISING)]
    proc = subprocess.run(
        [*command, "--workers", workers, "--runs-dir", "runs"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_BOUND_S,
    )
    reason = "shape Raising: tick() raised ValueError: stage table is empty"
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert f"Run ended: {reason}" in proc.stdout
    assert f"Exit code 1: the run ended on an error ({reason})" in proc.stdout
    assert "shape Raising: tick() raised, the run ends" in proc.stderr  # logged as Locust logs errors
    (info,) = list_runs(tmp_path / "runs")
    loaded = load_run_dir(info.path)
    assert not loaded.result.interrupted and loaded.result.final.total.num_requests > 0
    assert (reason, "warning") in [(a.text, a.kind) for a in loaded.result.annotations]
    events = (tmp_path / "events.log").read_text()
    assert events.count(" quit 1") == 1 and events.count(" test_stop") == 1 + int(workers)


def test_a_worker_killed_during_the_shutdown_is_recorded(tmp_path: Path, target: DemoTargetProcess) -> None:
    workdir = tmp_path
    (workdir / "config.toml").write_text(SETTINGS)
    (workdir / "scenarios").symlink_to(ROOT / "scenarios")
    args = f"--scenario health --workers 2 -u 6 -r 6 -t 60s --host {target.url}".split()
    proc = _popen(workdir, args)
    lines: list[str] = []
    _wait_for_line(proc, "running |", lines, unless="| 0.0 req/s")  # the workers have reported
    workers = [p for p in psutil.Process(proc.pid).children() if "worker_main" in " ".join(p.cmdline())]
    assert len(workers) == 2
    proc.send_signal(signal.SIGINT)  # the graceful shutdown begins: workers are asked for a last report
    workers[0].send_signal(signal.SIGKILL)
    killed = workers[0].pid
    out, err = proc.communicate(timeout=60)
    err = "".join(lines) + err
    assert proc.returncode == 130, err
    assert f"worker lost: process {killed} ended by SIGKILL" in err
    (info,) = list_runs(workdir / "runs")
    loaded = load_run_dir(info.path)
    assert loaded.result.interrupted
    lost = [w for w in loaded.result.warnings if w.kind is WarningKind.WORKER_LOST]
    assert [w.text for w in lost] == [f"worker process {killed} lost at the end (SIGKILL)"], lost
    assert loaded.result.end is not None and loaded.result.end.kind is EndKind.INTERRUPTED
    assert f"worker process {killed} lost at the end (SIGKILL)" in out
