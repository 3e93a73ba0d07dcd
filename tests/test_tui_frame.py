"""The dashboard's frame: one immutable value per tick, built by reading the session once; the parts only
one view needs are read only when that view is shown, and the widgets draw from the frame alone."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from fakes import FakeResourceSession, FakeSession
from test_tui_data import endpoint, settings, snapshot
from test_tui_pilot import dashboard, wait_for
from test_tui_resources_data import ramp_samples

from perfconsole.model.percentiles import Percentiles
from perfconsole.model.stages import StageStats
from perfconsole.tui.app import make_app
from perfconsole.tui.frame import Frame, FrameNeeds, build_frame
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.widgets.status_bar import StatusBar

PERCENTILES = Percentiles(None, None, None, None, None, None)
READS = ("snapshot", "history", "annotations", "warnings", "spike_verdict", "paused", "monitor", "stages")


class CountingSession:
    """A session that counts each read of the members a frame gathers."""

    def __init__(self, inner: FakeSession) -> None:
        self._inner = inner
        self.reads: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        self.reads[name] += 1
        return getattr(self._inner, name)


def test_a_frame_holds_the_session_read_once_and_the_view_parts_only_when_asked() -> None:
    session = CountingSession(FakeResourceSession(ramp_samples(5)))
    frame = build_frame(session, settings())  # type: ignore[arg-type]
    assert all(session.reads[name] <= 1 for name in READS), session.reads
    assert session.reads["stages"] == 0 and session.reads["output_tail"] == 0
    assert session.reads["live_noise"] == 0
    assert frame.stages == () and frame.log == () and frame.noise is None and frame.resources.samples == ()
    assert frame.history == session.history and frame.annotations == session.annotations
    assert frame.resources.annotations == frame.annotations and frame.resources.peaks is not None
    assert frame.validity.startswith(("valid", "invalid")) and frame.paused is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.paused = True  # type: ignore[misc]


def test_the_shown_view_asks_for_its_part() -> None:
    fake = FakeResourceSession(ramp_samples(5))
    fake.stage_rows = (StageStats(1, "20 users", "plateau", 0.0, 1.0, 30, 0, PERCENTILES),)
    fake.output_lines = [f"line {i}" for i in range(10)]
    frame = build_frame(fake, settings(), FrameNeeds(stages=True, log_lines=3, samples=True))
    assert frame.stages == fake.stage_rows and frame.log == ("line 7", "line 8", "line 9")
    assert len(frame.resources.samples) == 6


def test_a_frame_masks_secrets_as_saved_files_do() -> None:
    secret = endpoint("GET", "/api/items?token=hunter2", 10, 0, 5.0, 1.0)
    fake = FakeSession(replace(snapshot(), endpoints=(secret,)))
    frame = build_frame(fake, settings())
    assert "hunter2" not in frame.snapshot.endpoints[0].name


def test_the_dashboard_draws_each_tick_from_one_frame() -> None:
    session = CountingSession(FakeSession(snapshot()))
    app = make_app(settings(), scenarios=[], session=session, refresh_s=60.0)  # type: ignore[arg-type]

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
            board = dashboard(app)
            for view in ("charts", "notes", "workers", "failures", "log", "resources", "stages"):
                board.action_show(view)
                session.reads.clear()
                board.refresh_view()
                assert isinstance(board.frame, Frame)
                session.reads["spike_verdict"] -= 1  # the verdict lines' own look (tui/verdict_lines.py)
                assert all(session.reads[name] <= 1 for name in READS), (view, session.reads)
                assert session.reads["stages"] == (view == "stages")
                assert session.reads["output_tail"] == (view == "log")
            status = board.query_one(StatusBar)
            assert board.frame is not None
            assert status.snapshot == board.frame.snapshot and status.validity == board.frame.validity

    asyncio.run(drive())
