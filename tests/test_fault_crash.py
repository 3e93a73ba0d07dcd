"""Fault injection, crashes: SIGKILL during saves (50 times, at random moments), during `baseline save
--force` (between its steps, with the PERFCONSOLE_FAULT hook), and a killed headless run; every listed run
and the baseline stay complete, and a later start sweeps (recovers or removes) whatever was left."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from cli_helpers import ROOT
from test_store_factories import make_endpoint, make_result

from perfconsole.application.sweep import sweep_leftovers
from perfconsole.store.baselines import load_baseline, save_baseline
from perfconsole.store.faults import FAULT_ENV
from perfconsole.store.runs import list_runs, load_run_dir, save_run

pytestmark = pytest.mark.timeout(180)

KILLS = 50


def _hidden(runs: Path) -> list[Path]:
    return sorted(p for p in runs.rglob(".*"))


def _saver_child(runs: Path, seed: int) -> int:
    """Fork a child that saves a small synthetic run (with artifact files) over and over."""
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns to pytest
        endpoints = tuple(make_endpoint(f"/api/item/{i}") for i in range(40))
        result = make_result(endpoints, started_at=1_795_452_300.0 + seed)

        def artifacts(staging: Path) -> None:
            for name in ("locust_stats.csv", "report.html"):
                (staging / name).write_text("x," * 2000)

        while True:
            save_run(runs, result, name=f"k{seed}", write_artifacts=artifacts)
    finally:
        os._exit(1)


def test_sigkill_at_random_moments_of_saves_then_a_sweep(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    rng = random.Random(12)
    for seed in range(KILLS):
        pid = _saver_child(runs, seed)
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    broken: list[str] = []
    listed = list_runs(runs, broken=broken)
    assert broken == []
    for info in listed:
        load_run_dir(info.path)  # every listed run is complete
    leftovers = _hidden(runs)
    print(f"{KILLS} kills: {len(listed)} complete runs, {len(leftovers)} leftovers")

    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    print("\n".join(lines))
    assert _hidden(runs) == []
    after = list_runs(runs, broken=broken)
    assert broken == [] and len(after) >= len(listed)
    recovered = len(after) - len(listed)
    assert sum(1 for line in lines if line.startswith("recovered")) == recovered
    for info in after:
        load_run_dir(info.path)
    if leftovers and recovered < len(leftovers):
        assert any(line.startswith("removed") for line in lines)


def _cli_child(args: list[str], env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    """``perfconsole ARGS`` in a child process (``code`` runs first, e.g. to disable a syscall)."""
    script = f"{code}\nfrom perfconsole.cli import main\nraise SystemExit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


NO_EXCHANGE = "import perfconsole.store.atomic as atomic\natomic._exchange = lambda a, b: False"


@pytest.mark.parametrize(
    ("point", "code", "expect"),
    [
        ("staged-complete", "", "old"),
        ("replace-exchanged", "", "new"),
        ("replace-old-moved", NO_EXCHANGE, "new"),  # where RENAME_EXCHANGE is missing: two renames
    ],
)
def test_baseline_save_force_killed_between_steps(tmp_path: Path, point: str, code: str, expect: str) -> None:
    runs = tmp_path / "runs"
    old_run = save_run(runs, make_result(started_at=1_795_452_300.0), name="old").name
    new_run = save_run(runs, make_result(started_at=1_795_452_900.0), name="new").name
    save_baseline(runs, old_run, "base")
    done = _cli_child(
        ["baseline", "save", new_run, "base", "--force", "--runs-dir", str(runs)], {FAULT_ENV: point}, code
    )
    assert done.returncode == -signal.SIGKILL, done.stderr  # killed at the fault point
    assert _hidden(runs / "baselines")  # the kill left something behind
    if point != "replace-old-moved":  # one atomic exchange: the name never stops naming a baseline
        assert load_baseline(runs, "base").run_id == (old_run if expect == "old" else new_run)

    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    assert _hidden(runs) == [], lines
    assert load_baseline(runs, "base").run_id == (old_run if expect == "old" else new_run)
    assert len(list_runs(runs)) == 2
    if point == "replace-old-moved":
        assert lines[0] == "recovered base (a crash had stopped its save at the last step)"


@pytest.mark.slow
def test_a_killed_run_leaves_a_worker_log_that_a_later_start_removes(tmp_path: Path) -> None:
    """SIGKILL a real headless run with a worker: its log stays in TMPDIR; the next start removes it (once
    no process owns it and it is older than a minute: its age is set back here instead of waiting)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "--runs-dir", "runs"]
    proc = subprocess.Popen(
        [*command, *"--scenario health --workers 1 -u 1 -r 1 -t 30s".split()],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "running |" not in proc.stderr.readline():
        pass
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    proc.wait(timeout=10)
    _gone, alive = psutil.wait_procs(workers, timeout=30)  # the worker's watchdog stops it
    assert not alive
    logs = list(temp.glob("perfconsole-workers-*.log"))
    assert len(logs) == 1
    held = subprocess.Popen(["sleep", "60"], stdout=open(temp / "perfconsole-workers-live.log", "ab"))  # noqa: SIM115
    try:
        for path in temp.glob("perfconsole-workers-*.log"):
            os.utime(path, (time.time() - 120, time.time() - 120))
        dead = subprocess.Popen(["true"])
        dead.wait()
        staging = tmp_path / "runs" / f".tmp-20261201T000000Z-x-{dead.pid}-0123abcd"  # a killed save's
        staging.mkdir(parents=True)
        (staging / "run.toml").write_text("half")
        later = subprocess.run(
            [*command, "--scenario", "health", "-t", "1s", "--host", "http://127.0.0.1:1"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert "removed 1 worker log(s)" in later.stderr, later.stderr
        assert "removed 1 stale staging entry" in later.stderr and not staging.exists()
        assert [p.name for p in temp.glob("perfconsole-workers-*.log")] == ["perfconsole-workers-live.log"]
    finally:
        held.kill()
        held.wait()
