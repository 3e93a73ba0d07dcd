"""Pilot tests of the console's run store on real, short runs against the demo target (loopback only).

A run is saved when it stops, a snapshot key saves one mid-run with a note, the baseline key promotes the
saved run, a slowed endpoint is marked regressed live against that baseline, and the run browser lists
and compares the runs. Users run in the test process (workers=0) to spare the CPU; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from test_store_factories import make_result
from test_tui_pilot import dashboard, message, wait_for

from perfconsole.config import Limits, Profile, Regression, Settings, Thresholds
from perfconsole.model.run import RunState
from perfconsole.store.baselines import load_baseline, save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import list_runs, load_run_dir
from perfconsole.tui.app import PerfConsoleApp, make_app
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.run_browser import CompareScreen, RunBrowserScreen, RunDetailScreen
from perfconsole.tui.screens.store_modals import BaselineModal, BaselinePickModal, SnapshotModal
from perfconsole.tui.widgets.percentile_table import PercentileTable

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

LOCUSTFILE = """
from locust import FastHttpUser, constant, task


class QuickUser(FastHttpUser):
    wait_time = constant(0.02)

    @task
    def products(self):
        self.client.get("/api/products")

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
"""
SLOWED = "GET /api/products"
STEADY = "GET /api/v1/health/ping"


def store_settings(tmp_path: Path, host: str) -> Settings:
    return Settings(
        source=None,
        host=host,
        workers=0,
        runs_dir=tmp_path / "runs",
        profiles={"pair": Profile("pair", 2, 2.0, None, description="two users until stopped")},
        thresholds=Thresholds(default=Limits(p95_ms=5000.0)),
        regression=Regression(min_samples=20),
        default_profile="pair",
    )


def store_app(tmp_path: Path, host: str) -> PerfConsoleApp:
    locustfile = tmp_path / "quick.py"
    locustfile.write_text(LOCUSTFILE)
    return make_app(store_settings(tmp_path, host), scenarios=[], locustfile=locustfile, refresh_s=0.5)


def runs_toml(runs_dir: Path) -> list[dict[str, Any]]:
    return [tomllib.loads((info.path / "run.toml").read_text()) for info in list_runs(runs_dir)]


def table_rows(app: PerfConsoleApp) -> dict[str, list[str]]:
    table = dashboard(app).query_one(PercentileTable)
    return {row.key: [cell.text for cell in row.cells] for row in table._shown}


def endpoint_requests(app: PerfConsoleApp, key: str) -> int:
    session = app.session
    assert session is not None
    return next((e.num_requests for e in session.snapshot().endpoints if e.key == key), 0)


async def start(pilot: Any, app: PerfConsoleApp) -> None:
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
    await wait_for(pilot, lambda: dashboard(app).prepared, "the session ready")
    await wait_for(pilot, lambda: endpoint_requests(app, SLOWED) > 0, "first requests")


def test_snapshot_baseline_live_regression_and_browser(
    tmp_path: Path, demo_target: Any, demo_control: Any
) -> None:
    app = store_app(tmp_path, demo_target.url)
    runs_dir = tmp_path / "runs"

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await start(pilot, app)

            # mid-run snapshot with a note
            await pilot.press("S")
            assert isinstance(app.screen, SnapshotModal)
            await pilot.press(*"warm cache", "enter")
            manual = runs_toml(runs_dir)
            assert [(m["kind"], m["note"], m["interrupted"]) for m in manual] == [
                ("manual", "warm cache", False)
            ]
            assert message(app) == f"snapshot saved: {manual[0]['id']}"
            assert "snapshot: warm cache" in [a["text"] for a in manual[0]["annotations"]]

            # enough traffic on both endpoints to be judged, then stop: the run is saved by itself
            for key in (SLOWED, STEADY):
                await wait_for(pilot, lambda k=key: endpoint_requests(app, k) >= 40, f"40 requests on {key}")
            await pilot.press("s")
            await wait_for(pilot, lambda: message(app).startswith("run saved:"), "the final save")
            final = next(m for m in runs_toml(runs_dir) if m["kind"] == "final")
            assert message(app) == f"run saved: {final['id']} (B: baseline)"
            assert final["interrupted"] is False and final["summary"]["requests"] >= 80
            assert (runs_dir / final["id"] / "data.json").is_file()

            # promote it: a bad name is refused in place, an existing name asks first
            await pilot.press("B")
            assert isinstance(app.screen, BaselineModal)
            await pilot.press(*"../x", "enter")
            assert isinstance(app.screen, BaselineModal)
            assert "invalid baseline name" in str(app.screen.query_one("#dialog-error").render())
            await pilot.press(*["backspace"] * 4, *"light", "tab", *"steady state", "enter")
            assert not isinstance(app.screen, BaselineModal)
            baseline = load_baseline(runs_dir, "light")
            assert baseline.run_id == final["id"] and baseline.baseline_meta["note"] == "steady state"
            await pilot.press("B", *"light", "enter")
            assert "exists" in str(app.screen.query_one("#dialog-error").render())
            await pilot.press("escape")
            assert load_baseline(runs_dir, "light").run_id == final["id"]

            # choose it, slow one endpoint down, run again: that endpoint is marked live
            await pilot.press("b")
            assert isinstance(app.screen, BaselinePickModal)
            await pilot.press("down", "enter")
            assert app.recorder.baseline is not None and app.recorder.baseline.baseline_name == "light"
            demo_control(path_latency_ms={"/api/products": 200.0})
            await pilot.press("g")
            await wait_for(
                pilot,
                lambda: table_rows(app).get(SLOWED, ["", "", "", "", ""])[4].startswith("↑"),
                "the slowed endpoint's p95 marked regressed",
                timeout_s=40,
            )
            rows = table_rows(app)
            assert rows[SLOWED][0].startswith("✗") and rows[SLOWED][5].startswith("↑+")  # name, Δp95
            assert "regressed vs light" in message(app) and SLOWED in message(app)
            await pilot.press("s")
            await wait_for(pilot, lambda: len(runs_toml(runs_dir)) == 3, "the second run saved")

            # run browser: baseline and the three runs, newest first; open one; compare two
            await pilot.press("r")
            browser = app.screen
            assert isinstance(browser, RunBrowserScreen)
            assert [e.kind for e in browser.entries] == ["baseline", "final", "final", "manual"]
            second, first = browser.entries[1], browser.entries[2]
            assert first.label == final["id"] and (second.started_at or 0) > (first.started_at or 0)
            await pilot.press("down", "enter")
            assert isinstance(app.screen, RunDetailScreen) and app.screen.entry == second
            header = str(app.screen.query_one("#detail-header").render())
            assert second.label in header
            await pilot.press("escape", "space", "down", "space", "c")
            compared = app.screen
            assert isinstance(compared, CompareScreen)
            comparison = compared.comparison
            assert comparison.baseline_label == first.label and comparison.current_label == second.label
            assert (SLOWED, "p95") in [(endpoint, m.metric) for endpoint, m in comparison.regressions]
            assert "regression(s)" in message(app)
            await pilot.press("escape", "escape")
            assert isinstance(app.screen, DashboardScreen)

            await pilot.press("q")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)

    asyncio.run(drive())
    assert len(list_runs(runs_dir)) == 3  # quitting after the saves adds nothing


def test_baseline_from_the_start_screen_and_quit_during_a_run_saves_interrupted(
    tmp_path: Path, demo_target: Any
) -> None:
    runs_dir = tmp_path / "runs"
    source = save_run(runs_dir, make_result(), kind="final")
    save_baseline(runs_dir, source.name, "old", note="hand-made")
    app = store_app(tmp_path, demo_target.url)

    async def drive() -> Any:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("b")
            assert isinstance(app.screen, BaselinePickModal)
            await pilot.press("down", "enter")
            assert "old" in str(app.screen.query_one("#baseline-choice").render())
            await start(pilot, app)
            await wait_for(pilot, lambda: SLOWED in table_rows(app), "the endpoint rows")
            await pilot.pause(0.6)
            rows = table_rows(app)
            assert rows[SLOWED][5] == "new"  # Δp95: the baseline has other endpoints
            session = app.session
            await pilot.press("q")
            await pilot.press("y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)
            return session

    session = asyncio.run(drive())
    assert session.state == RunState.QUIT
    saved = [info for info in list_runs(runs_dir) if info.path != source]
    assert len(saved) == 1 and saved[0].interrupted and saved[0].kind == "final"
    loaded = load_run_dir(saved[0].path)
    assert loaded.result.interrupted and loaded.result.final.total.num_requests > 0
