"""The console's command line: ``--baseline`` preselects the live comparison; a missing or broken one
is one line on stderr and exit 2 before any screen opens."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from test_store_factories import make_result
from test_tui_data import SCENARIOS, settings

from perfconsole.store.baselines import save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.start import StartScreen
from perfconsole.tui.widgets.message_line import MessageLine

ROOT = Path(__file__).resolve().parent.parent


def console(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[run]\nruns_dir = "{tmp_path / "runs"}"\n')
    return subprocess.run(
        [sys.executable, "-m", "perfconsole", "--settings", str(config), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_missing_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = console(tmp_path, "--baseline", "nightly")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("perfconsole: error:") and "nightly" in lines[0], lines
    assert done.stdout == ""  # the screen never opened


@pytest.mark.slow
def test_broken_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    save_baseline(runs, save_run(runs, make_result()).name, "light")
    data_files = list((runs / "baselines" / "light").rglob("data.json"))
    assert data_files
    for data in data_files:
        data.write_text("{ not json")
    done = console(tmp_path, "--baseline", "light")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""


def test_baseline_is_preselected_on_the_start_screen(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    source = save_run(runs, make_result())
    save_baseline(runs, source.name, "light")
    app = make_app(
        replace(settings(), runs_dir=runs),
        scenarios=SCENARIOS,
        session_factory=lambda choice: None,  # type: ignore[arg-type,return-value]
        baseline="light",
    )
    assert app.recorder.baseline is not None and app.recorder.baseline.baseline_name == "light"

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StartScreen)
            assert "light (b changes)" in str(screen.query_one("#baseline-choice").render())
            await pilot.press("b", "enter")  # the picker opens on the preselected baseline
            await pilot.pause()
            assert app.screen.query_one(MessageLine).message.startswith("comparing with baseline light")

    asyncio.run(drive())


@pytest.mark.slow
def test_unknown_scenario_is_refused_as_in_headless_runs(tmp_path: Path) -> None:
    done = console(tmp_path, "--scenario", "nosuch")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown scenario 'nosuch'" in lines[0] and "notifications" in lines[0], lines
    assert done.stdout == ""  # the screen never opened
