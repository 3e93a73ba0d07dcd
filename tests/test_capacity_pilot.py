"""The capacity search in the console: ``C`` on the dashboard starts a real search (real Locust users against
the demo target on 127.0.0.1, its DB pool the limit), each step's line reaches the message line and the
capacity view, the knee chart draws a verdict per level at 80x24, and ``C`` again stops it with the steps
kept and the answer marked partial. The start screen's ``search: rate`` choice reaches the dashboard (a fake
session there: that test is about the choice, not a run)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from fakes import FakeSession
from test_tui_data import snapshot
from test_tui_pilot import wait_for

from perfconsole.application.capacity_page import CAPACITY_HTML
from perfconsole.config import Limits, Search, Thresholds, default_settings
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.scenario import discover_scenarios
from perfconsole.engine.session import LoadSession
from perfconsole.model.capacity import SearchState
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.run_browser import RunBrowserScreen, RunDetailScreen
from perfconsole.tui.session_api import LaunchChoice
from perfconsole.tui.views.knee_text import FAIL_MARK, PASS_MARK
from perfconsole.tui.widgets.capacity_panel import CapacityPanel, KneeChartView
from perfconsole.tui.widgets.message_line import MessageLine

PRODUCTS = Path(__file__).resolve().parent / "locust_projects" / "capacity" / "products.py"
SHORT = Search(
    start=20,
    maximum=800,
    step_pct=100,
    resolution_pct=20,
    settle_s=1.0,
    step_s=3.0,
    min_requests=20,
    confirm_s=3.0,
    max_steps=8,
)


@pytest.fixture()
def pool_session(tmp_path: Path) -> Iterator[LoadSession]:
    """A prepared in-process session on a demo target whose DB pool (8 slots x 40 ms) caps it near 200
    req/s, judged by p95 < 200 ms."""
    with start_demo_target(latency_ms=40.0, jitter_ms=0.0, error_rate=0.0, db_pool_size=8, seed=1) as target:
        yield from _session(tmp_path, target)


def _session(tmp_path: Path, target: DemoTargetProcess) -> Iterator[LoadSession]:
    settings = replace(
        default_settings(),
        runs_dir=tmp_path / "runs",
        search=SHORT,
        thresholds=Thresholds(default=Limits(p95_ms=200.0, error_rate_pct=1.0)),
    )
    plan = RunPlan(
        scenario_path=PRODUCTS, host=target.url, workers=0, users=10, spawn_rate=10.0, resources=False
    )
    session = LoadSession(plan, settings)
    try:
        session.prepare()
        yield session
    finally:
        session.close()


def chart_rows(app: Any) -> list[str]:
    view = app.screen.query_one(KneeChartView)
    return str(view.render()).splitlines()


def head_lines(app: Any) -> str:
    return str(app.screen.query_one("#capacity-lines").render())


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_dashboard_key_runs_a_search_shows_steps_and_chart_and_stops_partial(
    pool_session: LoadSession,
) -> None:
    session = pool_session
    app = make_app(session.settings, session=session, refresh_s=0.5)
    seen_messages: list[str] = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            session.start()  # with the console following: it saves the run when it stops
            await wait_for(pilot, lambda: session.snapshot().user_count == 10, "the 10 users")
            await pilot.press("C")
            assert app.screen.query_one("#views").current == "capacity"
            assert session.search.running

            def two_steps_said() -> bool:
                text = app.screen.query_one(MessageLine).message
                if text.startswith("step ") and text not in seen_messages:
                    seen_messages.append(text)
                result = session.search.result()
                return (
                    result is not None
                    and len(result.steps) >= 2
                    and any("step 2:" in m for m in seen_messages)
                )

            try:
                await wait_for(pilot, two_steps_said, "two steps said on the message line", timeout_s=120)
            finally:
                print("said:", seen_messages, "view:", head_lines(app), sep="\n")
            await wait_for(pilot, lambda: "step " in head_lines(app), "the step lines in the view")
            rows = chart_rows(app)
            panel = app.screen.query_one(CapacityPanel)
            assert panel.region.width <= 80 and len(rows) <= app.screen.query_one(KneeChartView).size.height
            assert all(len(row) <= app.screen.query_one(KneeChartView).size.width for row in rows)
            axis = rows[-2]
            assert axis.count(PASS_MARK) + axis.count(FAIL_MARK) >= 2, rows
            assert "req/s" in rows[0] and rows[-1].rstrip().endswith("/s"), rows
            await pilot.press("C")
            await wait_for(pilot, lambda: "partial" in head_lines(app), "the partial answer")
            assert not session.search.running
            assert session.state.is_live  # the search stopped, the run goes on
            # ... at the load it had before the search (10 users, closed model), not the last step's rate
            assert not session.arrival.active and session.control.user_target.users == 10
            assert any(
                a.text.endswith("load back to 10 users, as before the search") for a in session.annotations
            )
            await pilot.pause(1.2)  # a poll later the chart is still drawn from the kept steps
            assert chart_rows(app)[-2].count(PASS_MARK) + chart_rows(app)[-2].count(FAIL_MARK) >= 2
            await pilot.press("s")
            await wait_for(pilot, lambda: not session.state.is_live, "the stop")
            await wait_for(pilot, lambda: any(runs.glob("*/run.toml")), "the run saved", timeout_s=60)
            # the saved run, opened from the run browser, draws the same chart from its saved search
            live_chart, live_rows = app.screen.query_one(KneeChartView).chart, chart_rows(app)
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, RunBrowserScreen), "the run browser")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), "the saved run")
            await pilot.pause(0.3)
            assert app.screen.query_one("#detail-views").current == "detail-capacity"
            assert "partial" in head_lines(app)
            assert app.screen.query_one(KneeChartView).chart == live_chart
            assert chart_rows(app)[0] == live_rows[0] and chart_rows(app)[-2:] == live_rows[-2:]

    runs = session.settings.runs_dir
    asyncio.run(drive())
    result = session.search.result()
    assert result is not None and result.state is SearchState.PARTIAL
    assert len(result.steps) >= 2
    (run_dir,) = [path.parent for path in runs.glob("*/run.toml")]
    page = (run_dir / CAPACITY_HTML).read_text()
    assert "partial" in page and page.count("<circle") == len({step.level for step in result.steps})
    report = (run_dir / "report.html").read_text()
    assert report.index('id="perfconsole-capacity"') > report.index('<div id="root">')
    assert all(len(line) <= 76 for line in seen_messages)  # one line of the message line at 80
    assert any(" | " in line for line in seen_messages)  # two steps on one line at 80 columns


def test_start_screen_search_choice_starts_a_search_once_the_run_is_up(tmp_path: Path) -> None:
    settings = replace(default_settings(), runs_dir=tmp_path / "runs", search=SHORT)
    scenarios = discover_scenarios(PRODUCTS.parent)
    chosen: list[LaunchChoice] = []
    fake = FakeSession(snapshot())

    def factory(choice: LaunchChoice) -> FakeSession:
        chosen.append(choice)
        return fake

    app = make_app(settings, scenarios=scenarios, session_factory=factory)

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            profiles = app.screen.query_one("#profiles")
            ids = [profiles.get_option_at_index(i).id for i in range(profiles.option_count)]
            assert ids[-2:] == ["search: rate", "search: users"]
            profiles.highlighted = ids.index("search: rate")
            await pilot.pause()
            info = str(app.screen.query_one("#profile-info").render())
            assert info.startswith("capacity search (rate): from 20/s")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
            await wait_for(pilot, lambda: "search rate" in fake.calls, "the search started")
            assert app.screen.query_one("#views").current == "capacity"

    asyncio.run(drive())
    assert chosen[0].search == "rate" and chosen[0].profile == "search: rate"
