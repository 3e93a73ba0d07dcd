"""The capacity search in a real 80x24 terminal: ``perfconsole`` in tmux against a demo target whose DB pool
caps it near 200 req/s; ``C`` starts a search, its step lines and knee chart fit the screen with the key bar
still at the bottom, ``C`` again leaves a partial answer, and quitting saves ``capacity.html``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_e2e_tmux import TMUX, console_in_tmux

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)"),
]

PRODUCTS = Path(__file__).resolve().parent / "locust_projects" / "capacity" / "products.py"
CONFIG = """
[run]
workers = 0
runs_dir = "{runs}"

[profiles.ten]
description = "Ten users until stopped"
users = 10
spawn_rate = 10

[thresholds]
p95_ms = 200
error_rate_pct = 1

[search]
start = 20
max = 800
resolution_pct = 20
settle = "1s"
step_time = "3s"
min_requests = 20
confirm = "3s"
max_steps = 8
"""


@pytest.fixture(scope="module")
def pool_target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=40.0, jitter_ms=0.0, error_rate=0.0, db_pool_size=8, seed=1) as target:
        yield target


def test_search_fits_80x24_and_stops_partial(tmp_path: Path, pool_target: DemoTargetProcess) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(runs=tmp_path / "runs"))
    options = ("-f", str(PRODUCTS), "--host", pool_target.url, "--load-profile", "ten")
    name = f"perfconsole-capacity-{os.getpid()}"
    with console_in_tmux(name, config, *options, size=(80, 24)) as term:
        term.wait_for(lambda s: "enter start" in s, "the start screen")
        term.keys("Enter")
        term.wait_for(lambda s: "RUNNING" in s and "GET /api/products" in s, "a running dashboard")
        term.keys("C")
        screen = term.wait_for(
            lambda s: "step 2:" in s and "0 offered" in s and s.count("✓") >= 2, "two steps and the chart"
        )
        lines = screen.splitlines()
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
        assert "q quit" in lines[-1] or "q quit" in lines[-2], screen  # the key bar kept its place
        assert any(line.strip().startswith("━ req/s") for line in lines), screen
        said = next(i for i, line in enumerate(lines) if line.startswith(" › step "))
        assert lines[said + 1].startswith("───"), screen  # a step line takes one line of the message line
        print(screen)
        term.keys("C")
        screen = term.wait_for(lambda s: "partial" in s, "the partial answer")
        print(screen)
        term.keys("q")
        term.wait_for(lambda s: "y" in s and "quit" in s.lower(), "the quit question")
        term.keys("y")
        term.wait_for(lambda s: "PERFCONSOLE-EXIT=0" in s, "the console's exit", timeout_s=60)
    (run_dir,) = [path.parent for path in (tmp_path / "runs").glob("*/run.toml")]
    assert "partial" in (run_dir / "capacity.html").read_text()
