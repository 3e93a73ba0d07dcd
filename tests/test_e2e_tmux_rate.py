"""The arrival-rate dial in a real 80x24 terminal: a rate profile's planned rate on the start screen, the rate
panel and status bar of a running run (two rate stages, ``]``, ``R``), the pool ceiling reached when the demo
target slows down, ``R 0`` back to the closed model, and a clean exit."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_e2e_tmux import TMUX, console_in_tmux

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)"),
]

CONFIG = """
[run]
workers = 1
runs_dir = "{runs}"
default_profile = "dial"
default_scenario = "health"

[profiles.dial]
description = "Open model: 40/s, then 120/s"
users = 5
max_users = 20
stages = [
    {{ until = "8s", rate = 40 }},
    {{ until = "2m", rate = 120 }},
]
"""


def panel(screen: str) -> str:
    """The rate panel's lines (from its RATE line to the endpoint table's header)."""
    lines = screen.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("RATE target")), None)
    if start is None:
        return ""
    return "\n".join(lines[start : start + 3])


def test_rate_panel_at_80x24(tmp_path: Path, demo_target: Any, demo_control: Callable[..., dict]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(runs=tmp_path / "runs"), encoding="utf-8")
    name = f"perfconsole-rate-{os.getpid()}"
    with console_in_tmux(name, config, "--host", demo_target.url, size=(80, 24)) as term:
        start = term.wait_for(
            lambda s: "enter start" in s and "planned arrival rate" in s, "the rate preview"
        )
        assert "up to 120 iterations/s" in start  # the profile's line, under the profiles
        term.keys("Enter")
        screen = term.wait_for(lambda s: "RATE target 40/s" in panel(s), "the rate panel at 40/s")
        assert "busy/pool/max" in screen and "stage rate stage 1: 40/s" in screen
        screen = term.wait_for(
            lambda s: "RATE target 120/s" in panel(s) and "keeping up" in panel(s), "the second stage", 30
        )
        assert "rate 120/s got" in screen.splitlines()[0]  # the status bar's first line, at 80 columns
        term.keys("]")
        term.wait_for(lambda s: "RATE target 132/s" in panel(s), "] to 132/s")
        term.keys("R")
        term.wait_for(lambda s: "Set the arrival rate" in s, "the rate dialog")
        term.keys("C-a", "BSpace", "BSpace", "BSpace", "BSpace", "2", "0", "0", "Enter")
        term.wait_for(lambda s: "RATE target 200/s" in panel(s), "R to 200/s")
        demo_control(latency_ms=500.0)  # 20 users serve 40/s of 200/s
        screen = term.wait_for(
            lambda s: "pool ceiling reached" in panel(s) and "busy/pool/max 20/20/20" in panel(s),
            "the pool's ceiling",
            30,
        )
        print(screen)
        demo_control(reset=True)
        term.keys("R")
        term.wait_for(lambda s: "Set the arrival rate" in s, "the rate dialog")
        term.keys("C-a", "BSpace", "BSpace", "BSpace", "BSpace", "0", "Enter")
        term.wait_for(lambda s: panel(s) == "" and "arrival rate off" in s, "the panel gone")
        term.keys("q")
        term.wait_for(lambda s: "Stop it and quit?" in s, "the quit confirmation")
        term.keys("y")
        term.wait_for(lambda s: "PERFCONSOLE-EXIT=0" in s, "a clean exit", timeout_s=30)
