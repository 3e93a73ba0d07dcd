"""End to end in a real terminal: the ``perfconsole`` command in tmux, driven with send-keys.

Starts a run on the demo target with one worker, raises the users, reads the endpoints and figures off
the screen, quits, and checks that no worker or demo-target process remains.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
TMUX = shutil.which("tmux")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)"),
]

CONFIG = """
[run]
workers = {workers}
runs_dir = "{runs}"
default_profile = "tiny"
default_scenario = "notifications"

[profiles.tiny]
description = "Two users until stopped"
users = 2
spawn_rate = 2
"""
"""A console's settings: ``{workers}`` and ``{runs}`` (a tmp path: saved runs stay out of the repository)."""


class Terminal:
    """A detached tmux session running one command."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> str:
        done = subprocess.run([TMUX or "tmux", *args], capture_output=True, text=True, timeout=10, check=True)
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout_s: float = 40.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.screen()
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{text}")
            time.sleep(0.3)

    def pane_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())


@contextmanager
def console_in_tmux(
    name: str, config: Path, *options: str, size: tuple[int, int] = (100, 30)
) -> Iterator[Terminal]:
    """``perfconsole --settings CONFIG OPTIONS`` in a tmux session of ``size`` (100x30); its exit code is
    printed as ``PERFCONSOLE-EXIT=N``; the session is killed on the way out."""
    command = (
        f"cd {ROOT} && {sys.executable} -m perfconsole --settings {config} {' '.join(options)} "
        "--refresh 0.5; "
        "echo PERFCONSOLE-EXIT=$?; sleep 120"
    )
    subprocess.run(
        [TMUX or "tmux", "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command],
        check=True,
        timeout=10,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    try:
        yield Terminal(name)
    finally:
        subprocess.run([TMUX or "tmux", "kill-session", "-t", name], capture_output=True, timeout=10)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(workers=1, runs=tmp_path / "runs") + "\n[thresholds]\nmin_rps = 0.1\n")
    with console_in_tmux(f"perfconsole-e2e-{os.getpid()}", config) as term:
        yield term, config


def test_console_in_a_real_terminal(terminal: tuple[Terminal, Path]) -> None:
    term, _config = terminal
    term.wait_for(lambda s: "enter start" in s and "notifications" in s, "the start screen")
    shell = psutil.Process(term.pane_pid())

    term.keys("Enter")
    screen = term.wait_for(
        lambda s: "RUNNING" in s and "GET /api/notifications/" in s and "Total" in s, "a running dashboard"
    )
    assert "users 2/2" in screen and "workers 1/1 ready" in screen
    console = [p for p in shell.children() if "perfconsole" in " ".join(p.cmdline())]
    assert len(console) == 1, [p.cmdline() for p in shell.children()]
    started = console[0].children(recursive=True)
    worker = [p for p in started if "--worker" in p.cmdline()]
    demo = [p for p in started if "demo" in " ".join(p.cmdline()).replace("_", "-")]
    assert len(worker) == 1 and len(demo) == 1, [p.cmdline() for p in started]

    term.keys("+")
    screen = term.wait_for(lambda s: "users 12/12" in s, "12 users running after +")
    assert "users -> 12" in screen
    total = next(line for line in screen.splitlines() if line.strip().startswith("Total"))
    figures = re.findall(r"\d+(?:\.\d+)?", total)
    assert len(figures) == 7, total  # req/s, fail/s, p50, p95, p99, p99.9, max
    assert float(figures[0]) > 0, total
    endpoints = ("GET /api/notifications/[id]/", "POST /api/notifications/")
    term.wait_for(lambda s: all(e in s for e in endpoints), "the scenario's endpoints")  # POST is 1 in 7

    # a filter typed at once (one burst, as over SSH): every key lands in the field, none on the table
    term.keys("/", "r", "e", "a", "d", "Enter")
    screen = term.wait_for(lambda s: 'filter "read"' in s, "the filter typed in one burst")
    shown = [
        line.split()[1] for line in screen.splitlines() if line.split()[:1] in (["GET"], ["POST"], ["PATCH"])
    ]
    assert shown == ["/api/notifications/[id]/read/"], screen
    term.keys("Escape")
    term.wait_for(lambda s: "filter cleared" in s, "the filter cleared")

    term.keys("q")
    term.wait_for(lambda s: "Stop it and quit?" in s, "the quit confirmation")
    term.keys("y")
    term.wait_for(lambda s: "PERFCONSOLE-EXIT=0" in s, "a clean exit", timeout_s=30)

    leftovers = [
        p for p in (*console, *worker, *demo) if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert leftovers == [], [p.cmdline() for p in leftovers]
    assert [p for p in shell.children(recursive=True) if "sleep" not in p.name()] == []
