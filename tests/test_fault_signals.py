"""Fault injection, signals: two signals 0.2 s apart during real runs (headless and console), and a signal
while preparing. The second signal must end the process at once with exit 130, a complete run saved and
no temp file or child process left."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from cli_helpers import ROOT
from test_e2e_tmux import CONFIG, TMUX, console_in_tmux

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.store.runs import list_runs, load_run_dir

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

SETTINGS = "[thresholds]\np95_ms = 5000\nerror_rate_pct = 50\n"
SECOND_SIGNAL_BOUND_S = 5.0
"""Generous bound for the second signal's exit on a busy machine (the goal is < 1 s; the old code never
exited cleanly at all: BlockingSwitchOutError, exit 1, no run)."""


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=2) as demo:
        yield demo


def _popen(workdir: Path, args: list[str]) -> subprocess.Popen[str]:
    temp = workdir / "tmp"
    temp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "perfconsole", "run", "--headless", *args, "--runs-dir", "runs"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)},
    )


def _wait_for_line(proc: subprocess.Popen[str], needle: str, lines: list[str], unless: str = "\0") -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        assert line, f"ended before {needle!r}: {''.join(lines)}"
        lines.append(line)
        if needle in line and unless not in line:
            return
    raise AssertionError(f"no {needle!r} within 60 s")


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _leftovers(workdir: Path) -> list[str]:
    """Temp files of the run: worker logs in TMPDIR, hidden staging entries in the runs directory."""
    temp = [p.name for p in (workdir / "tmp").iterdir()]
    runs = workdir / "runs"
    hidden = [p.name for p in runs.rglob(".*")] if runs.is_dir() else []
    return temp + hidden


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(SETTINGS)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    return tmp_path


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_two_signals_during_a_headless_run(workdir: Path, target: DemoTargetProcess, signum: int) -> None:
    args = f"--scenario health --workers 2 -u 6 -r 6 -t 60s --host {target.url}".split()
    proc = _popen(workdir, args)
    lines: list[str] = []
    _wait_for_line(proc, "running |", lines, unless="| 0.0 req/s")  # the workers have reported
    children = _children(proc.pid)
    assert len(children) >= 2  # the two workers
    proc.send_signal(signum)
    time.sleep(0.2)
    second = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    took = time.monotonic() - second
    print(f"second {signal.Signals(signum).name} to exit: {took:.2f} s")
    err = "".join(lines) + err
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "BlockingSwitchOutError" not in err
    assert took < SECOND_SIGNAL_BOUND_S
    (info,) = list_runs(workdir / "runs")
    loaded = load_run_dir(info.path)  # complete: run.toml and data.json agree
    assert loaded.result.interrupted and loaded.result.final.total.num_requests > 0
    texts = [a.text for a in loaded.result.annotations]
    assert f"interrupted by {signal.Signals(signum).name}" in texts
    assert (info.path / "report.html").is_file() and (info.path / "locust_stats.csv").is_file()
    assert str(info.path) in out  # the results were printed too
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [info.path, *info.path.iterdir()]}
    assert modes == {0o700, 0o600}  # owner only, Locust's CSV and HTML files included
    assert _leftovers(workdir) == []
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [p.pid for p in alive]


def test_signal_while_preparing_saves_nothing(workdir: Path, target: DemoTargetProcess) -> None:
    """Waiting for an external worker that never comes: SIGTERM exits 130 at once, no run saved."""
    args = f"--scenario health --workers 1 --expect-workers 2 -u 2 -t 10s --host {target.url}".split()
    proc = _popen(workdir, args)
    lines: list[str] = []
    _wait_for_line(proc, "waiting for workers: 1 of 2", lines)
    children = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    err = "".join(lines) + err
    assert proc.returncode == 130, err
    assert "nothing ran" in err and "Traceback" not in err
    assert list_runs(workdir / "runs") == [] and not any((workdir / "runs").glob("*"))
    assert _leftovers(workdir) == []
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")
def test_two_signals_to_the_console(tmp_path: Path, demo_target: Any) -> None:
    runs = tmp_path / "runs"
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(workers=1, runs=runs))
    name = f"perfconsole-signals-{os.getpid()}"
    with console_in_tmux(name, config, "--host", demo_target.url) as term:
        term.wait_for(lambda s: "enter start" in s, "the start screen")
        shell = psutil.Process(term.pane_pid())
        term.keys("Enter")
        term.wait_for(lambda s: "RUNNING" in s and "GET /api/notifications/" in s, "a running dashboard")
        (process,) = [p for p in shell.children() if "perfconsole" in " ".join(p.cmdline())]
        process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        screen = term.wait_for(lambda s: "PERFCONSOLE-EXIT=" in s, "the console to exit", timeout_s=30)
        assert "PERFCONSOLE-EXIT=130" in screen and "Traceback" not in screen
        (info,) = list_runs(runs)
        loaded = load_run_dir(info.path)
        assert loaded.result.interrupted and loaded.result.final.total.num_requests > 0
        assert "interrupted by SIGTERM" in [a.text for a in loaded.result.annotations]
        assert [p.name for p in runs.rglob(".*")] == []
        assert [p for p in shell.children(recursive=True) if "sleep" not in p.name()] == []
