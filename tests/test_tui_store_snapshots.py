"""Snapshot tests of the run browser and a run's read-only view (hand-made run directories).

Update after a deliberate change with ``pytest tests/test_tui_store_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from test_store_factories import STARTED_AT, make_endpoint, make_result
from test_tui_data import SCENARIOS, settings

from perfconsole.store.baselines import save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.tui.app import PerfConsoleApp, make_app


def no_sessions(choice: Any) -> Any:
    raise AssertionError("snapshot tests never start a run")


def browser_app(runs_dir: Path) -> PerfConsoleApp:
    """Three runs (one interrupted, one manual snapshot with a note), a baseline and a broken directory."""
    first = save_run(runs_dir, make_result(), note="light load, build 41")
    slower = (make_endpoint(p95=45.0), make_endpoint("/api/users", "POST", p50=20.0, p95=40.0, p99=60.0))
    save_run(runs_dir, make_result(slower, started_at=STARTED_AT + 600), kind="manual", note="slow cache")
    save_run(runs_dir, make_result(slower, started_at=STARTED_AT + 900, interrupted=True))
    save_baseline(runs_dir, first.name, "light", note="release 4.1")
    broken = runs_dir / "20261123T170000Z-foreign"
    broken.mkdir()
    (broken / "run.toml").write_text('format = "something-else"\n')
    return make_app(replace(settings(), runs_dir=runs_dir), scenarios=SCENARIOS, session_factory=no_sessions)


def test_run_browser_80x24(snap_compare: Any, tmp_path: Path) -> None:
    """Baseline first, runs newest first with flags and notes, the broken directory with its error;
    two runs marked for comparison."""
    app = browser_app(tmp_path / "runs")
    assert snap_compare(app, terminal_size=(80, 24), press=["r", "down", "space", "down", "space"])


def test_run_comparison_80x24(snap_compare: Any, tmp_path: Path) -> None:
    app = browser_app(tmp_path / "runs")
    assert snap_compare(
        app, terminal_size=(80, 24), press=["r", "down", "space", "down", "down", "space", "c"]
    )


def test_run_detail_80x24(snap_compare: Any, tmp_path: Path) -> None:
    app = browser_app(tmp_path / "runs")
    assert snap_compare(app, terminal_size=(80, 24), press=["r", "enter"])
