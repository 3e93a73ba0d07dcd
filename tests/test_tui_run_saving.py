"""A run's final save starts in one place (``RunSaving``): the engine's ``RunStopped``, or the way out (quit,
a signal's save). Drawing never saves: a dashboard polled over a stopped run writes nothing until the event
arrives, and a real run stopped, started again and quit is saved exactly twice (counted at the saver)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from fakes import FakeSession
from test_tui_data import settings, snapshot
from test_tui_pilot import dashboard, message, wait_for
from test_tui_store_pilot import LOCUSTFILE, SLOWED, endpoint_requests, store_settings

from perfconsole.model.run import RunState
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.model.run_events import RunEvent, RunStarted, RunStopped, StageChanged
from perfconsole.store.runs import list_runs
from perfconsole.tui.app import make_app
from perfconsole.tui.recorder import RunRecorder, engine_saver
from perfconsole.tui.run_saving import RunSaving
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.session_api import ConsoleSession

STOPPED = RunStopped(RunEnd(EndKind.OPERATOR, "stopped by operator"))


class CountingSaver:
    """A saver that records each save (kind, interrupted) and names a directory it does not write."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.saves: list[tuple[str, bool]] = []

    def __call__(
        self, session: ConsoleSession, interrupted: bool, note: str | None, kind: str, name: str | None
    ) -> Path:
        self.saves.append((kind, interrupted))
        return self.tmp_path / f"run-{len(self.saves)}"


def tell(session: FakeSession, event: object) -> None:
    for listener in list(session.run_listeners):
        listener(event)  # type: ignore[arg-type]


def test_one_save_per_stop_and_none_on_the_way_out_after_it(tmp_path: Path) -> None:
    saver = CountingSaver(tmp_path)
    said: list[tuple[str, str]] = []
    saving = RunSaving(RunRecorder(settings(), saver), lambda text, kind: said.append((text, kind)))
    session = FakeSession(snapshot(RunState.STOPPED))

    async def stop_twice() -> list[Path | None]:
        return [await saving.stopped(session), await saving.stopped(session)]

    assert asyncio.run(stop_twice()) == [None, None]  # no run started: nothing to save
    saving.started()
    first, second = asyncio.run(stop_twice())
    assert first == tmp_path / "run-1" and second is None
    assert saver.saves == [("final", False)] and session.calls == ["settle"]
    assert said[-1] == ("run saved: run-1 (B: baseline)", "info")
    assert saving.on_exit(session, interrupted=True) is None
    assert saver.saves == [("final", False)]


def test_the_way_out_saves_a_run_still_going_once_and_then_no_stop_saves(tmp_path: Path) -> None:
    saver = CountingSaver(tmp_path)
    saving = RunSaving(RunRecorder(settings(), saver), lambda text, kind: None)
    session = FakeSession(snapshot(RunState.RUNNING))
    saving.started()
    assert saving.on_exit(session) == tmp_path / "run-1"  # interrupted: users were running
    assert saving.on_exit(session) is None
    assert asyncio.run(saving.stopped(session)) is None  # the users stopping after the way out
    assert saver.saves == [("final", True)]


def test_drawing_never_saves_the_stop_event_does(tmp_path: Path) -> None:
    saver = CountingSaver(tmp_path)
    session = FakeSession(snapshot(RunState.STOPPED))
    app = make_app(settings(), scenarios=[], session=session, saver=saver, refresh_s=0.05)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
            tell(session, RunStarted(0.0))
            await pilot.pause(0.1)
            assert app.recorder.unsaved
            for _ in range(5):
                dashboard(app).refresh_view()
            await pilot.pause(0.5)  # about ten polls of a stopped run
            assert saver.saves == []
            tell(session, STOPPED)
            await wait_for(pilot, lambda: message(app).startswith("run saved:"), "the save on the stop")
            tell(session, STOPPED)
            await pilot.pause(0.3)
            assert saver.saves == [("final", False)]
            await pilot.press("q")
        assert saver.saves == [("final", False)]

    asyncio.run(drive())


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_real_run_is_saved_once_per_stop_and_once_on_quit(tmp_path: Path, demo_target: Any) -> None:
    config = store_settings(tmp_path, demo_target.url)
    saves: list[str] = []
    save = engine_saver(config)

    def counting(
        session: ConsoleSession, interrupted: bool, note: str | None, kind: str, name: str | None
    ) -> Path:
        saves.append(f"{kind}{' interrupted' if interrupted else ''}")
        return save(session, interrupted, note, kind, name)

    locustfile = tmp_path / "quick.py"
    locustfile.write_text(LOCUSTFILE)
    app = make_app(config, scenarios=[], locustfile=locustfile, refresh_s=0.2, saver=counting)
    runs_dir = tmp_path / "runs"
    events: list[RunEvent] = []

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
            await wait_for(pilot, lambda: endpoint_requests(app, SLOWED) > 0, "first requests")
            await pilot.press("s")
            await wait_for(pilot, lambda: message(app).startswith("run saved:"), "the final save")
            await pilot.pause(1.0)  # five more polls of the stopped run
            assert saves == ["final"]
            assert app.session is not None
            app.session.run_listeners.append(events.append)
            await pilot.press("g")
            await wait_for(pilot, lambda: app.recorder.unsaved, "the second run started")
            await wait_for(pilot, lambda: endpoint_requests(app, SLOWED) > 0, "the second run's requests")
            await wait_for(pilot, lambda: len(events) >= 2, "the second run's first stage")
            assert type(events[0]) is RunStarted and type(events[1]) is StageChanged
            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=30)

    asyncio.run(drive())
    assert saves == ["final", "final interrupted"]
    assert sorted(info.interrupted for info in list_runs(runs_dir)) == [False, True]
