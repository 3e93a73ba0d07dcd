"""SIGTERM/SIGHUP to a real ``perfconsole`` console in tmux during a run: a complete snapshot marked
interrupted is left in the runs directory and no process remains."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from test_e2e_tmux import CONFIG, TMUX, Terminal, console_in_tmux

from perfconsole.store.runs import list_runs, load_run_dir

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)"),
]


@pytest.fixture
def console(tmp_path: Path, demo_target: Any) -> Iterator[tuple[Terminal, Path]]:
    runs = tmp_path / "runs"
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(workers=0, runs=runs))
    with console_in_tmux(f"perfconsole-signal-{os.getpid()}", config, "--host", demo_target.url) as term:
        yield term, runs


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_during_a_run_saves_an_interrupted_snapshot(
    console: tuple[Terminal, Path], signum: int
) -> None:
    term, runs = console
    term.wait_for(lambda s: "enter start" in s, "the start screen")
    shell = psutil.Process(term.pane_pid())
    term.keys("Enter")
    term.wait_for(lambda s: "RUNNING" in s and "GET /api/notifications/" in s, "a running dashboard")
    (process,) = [p for p in shell.children() if "perfconsole" in " ".join(p.cmdline())]
    assert list_runs(runs) == []

    process.send_signal(signum)
    screen = term.wait_for(lambda s: "PERFCONSOLE-EXIT=" in s, "the console to exit", timeout_s=30)
    assert "PERFCONSOLE-EXIT=130" in screen and "run saved as" in screen

    (info,) = list_runs(runs)
    assert info.interrupted and info.kind == "final"
    loaded = load_run_dir(info.path)  # complete: run.toml and data.json agree
    assert loaded.result.interrupted and loaded.result.final.total.num_requests > 0
    assert (info.path / "report.html").is_file()
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    assert [p for p in shell.children(recursive=True) if "sleep" not in p.name()] == []
