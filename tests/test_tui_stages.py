"""The console's stages view: figures per stage at 80x24 (Pilot, over a test double)."""

from __future__ import annotations

import asyncio

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
from fakes import FakeSession
from test_tui_data import SCENARIOS, settings, snapshot

from perfconsole.engine.hdr.merge import FALLBACK_PREFIX
from perfconsole.model.run import Percentiles
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.model.stages import StageStats
from perfconsole.tui.app import make_app

STAGES = (
    StageStats(
        1, "1/3 hold 20 users", "stage", 0.0, 60.0, 6000, 3, Percentiles(12.5, 20.0, 25.0, 40.0, 80.0, 95.0)
    ),
    StageStats(
        2,
        "50 users (before spike)",
        "plateau",
        60.0,
        90.0,
        4000,
        0,
        Percentiles(150.2, 170.0, 180.0, 210.0, 260.0, 300.0),
    ),
    StageStats(
        3,
        "spike: 200 users",
        "spike",
        90.0,
        120.0,
        9000,
        90,
        Percentiles(480.0, 900.0, 1200.0, 2100.0, 2500.0, 2600.0),
    ),
)


def test_stages_view_lists_each_stage_within_80_columns() -> None:
    session = FakeSession(snapshot())
    session.stage_rows = STAGES
    app = make_app(settings(), scenarios=SCENARIOS, session=session)  # type: ignore[arg-type]

    async def drive() -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("t")
            await pilot.pause(0.3)
            assert app.screen.query_one("#views").current == "stages"  # type: ignore[attr-defined]
            return str(app.screen.query_one("#stages-text").render())

    shown = asyncio.run(drive())
    lines = shown.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert "1/3 hold 20 users" in shown and "spike: 200 users" in shown
    assert "12.5" in shown and "480" in shown and "9000" in shown  # p50 and requests of each stage


class PlainWorkerSession(FakeSession):
    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        text = FALLBACK_PREFIX + "host_ab12 sent no histograms: their requests enter the percentiles at ..."
        return (RunWarning(WarningKind.HDR_FALLBACK, text),)


def test_the_fallback_to_locusts_approximation_is_said_on_screen() -> None:
    app = make_app(settings(), scenarios=SCENARIOS, session=PlainWorkerSession(snapshot()))  # type: ignore[arg-type]

    async def drive() -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            return str(app.screen.query_one("#message").render())

    shown = asyncio.run(drive())
    assert shown.startswith("! plain Locust worker(s) host_ab12 sent no histograms"), shown


def test_the_endpoint_detail_draws_the_stages_from_the_dashboards_frame() -> None:
    """The detail reads the dashboard's frame, which carries the figures per stage while it is open
    (and not on the charts view otherwise), and no session read of its own."""
    session = FakeSession(snapshot())
    session.stage_rows = STAGES
    app = make_app(settings(), scenarios=SCENARIOS, session=session)  # type: ignore[arg-type]

    async def drive() -> tuple[int, int, int, bool]:
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            board = app.screen
            before = len(board.frame.stages)  # type: ignore[attr-defined]
            board.open_endpoint("Aggregated")  # type: ignore[attr-defined]
            await pilot.pause(0.3)
            detail = app.screen
            rows = len(detail.query_one("#endpoint-stages").rows)  # type: ignore[attr-defined]
            during = len(board.frame.stages)  # type: ignore[attr-defined]
            await pilot.press("escape")
            await pilot.pause(0.3)
            return before, during, rows, board.endpoint_open  # type: ignore[attr-defined]

    before, during, rows, still_open = asyncio.run(drive())
    assert before == 0 and during == len(STAGES)
    assert rows == len(STAGES)
    assert not still_open
