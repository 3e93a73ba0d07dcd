"""Pilot tests of the console driving real, short load tests against the demo target (loopback only).

Each test starts real Locust users (in-process or one worker), presses the keys an operator would and
checks the session and the screen answer. Every wait is bounded; every run is stopped by the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import psutil
import pytest
from fakes import DEMO_LIMITS

from perfconsole.config import Limits, Profile, Resources, Settings, SpikeDrill, Thresholds
from perfconsole.model.run import RunState
from perfconsole.tui.app import PerfConsoleApp, make_app
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.modals import ConfirmQuitModal, ProfileModal, YesNoModal
from perfconsole.tui.screens.users_dialog import UsersModal
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.status_bar import StatusBar

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"


def console_settings(host: str | None, workers: int, spike: SpikeDrill, runs_dir: Path) -> Settings:
    """Settings for a real run; runs are saved under ``runs_dir`` (a tmp path, never the repository)."""
    return Settings(
        source=None,
        host=host,
        workers=workers,
        runs_dir=runs_dir,
        profiles={
            "tiny": Profile("tiny", 2, 2.0, None, description="two users until stopped"),
            "other": Profile("other", 3, 3.0, None, description="three users until stopped"),
        },
        thresholds=Thresholds(default=Limits(p95_ms=5000.0)),
        spike=spike,
        resources=Resources(thresholds=DEMO_LIMITS),  # config.toml's limits for the demo
        default_profile="tiny",
        default_scenario="notifications",
    )


async def wait_for(pilot: Any, condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    """Let the app and the greenlets run until ``condition`` holds; fail after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.2)


def message(app: PerfConsoleApp) -> str:
    return app.screen.query_one(MessageLine).message


def dashboard(app: PerfConsoleApp) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen), f"expected the dashboard, got {screen!r}"
    return screen


async def start_run(pilot: Any, app: PerfConsoleApp) -> Any:
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
    await wait_for(pilot, lambda: dashboard(app).prepared, "workers and target ready")
    session = app.session
    assert session is not None
    await wait_for(pilot, lambda: session.snapshot().total.num_requests > 0, "first requests")
    return session


def new_children(before: set[int]) -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()]


def test_every_control_on_a_real_run(demo_target: Any, tmp_path: Path) -> None:
    """Users up/down, exact values, a refused bad value, pause/resume, profile switch, note, stop, start
    again and quit (confirmed), each checked on the session and on screen."""
    settings = console_settings(demo_target.url, workers=0, spike=SpikeDrill(4, 4.0, 2.0), runs_dir=tmp_path)
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, users_step=2, refresh_s=0.5)
    children_before = {p.pid for p in psutil.Process().children(recursive=True)}

    async def drive() -> Any:
        async with app.run_test(size=(100, 30)) as pilot:
            session = await start_run(pilot, app)
            snap = session.snapshot()
            assert snap.profile == "tiny" and snap.target_user_count == 2 and snap.host == demo_target.url

            await pilot.press("plus")
            assert session.snapshot().target_user_count == 4 and message(app) == "users -> 4"
            await wait_for(pilot, lambda: session.snapshot().user_count == 4, "4 users running")
            status = dashboard(app).query_one(StatusBar)  # it follows at the next tick, however late
            await wait_for(
                pilot, lambda: status.snapshot is not None and status.snapshot.user_count == 4, "the bar's 4"
            )

            await pilot.press("minus")
            assert session.snapshot().target_user_count == 2
            await pilot.press("asterisk")
            assert session.snapshot().target_user_count == 4
            await pilot.press("h")
            assert session.snapshot().target_user_count == 2

            # exact users and spawn rate
            await pilot.press("u")
            assert isinstance(app.screen, UsersModal)
            await pilot.press("3", "tab", "3", "enter")
            assert isinstance(app.screen, YesNoModal)  # 3 is above the profile's peak of 2: asks first
            await pilot.press("y")
            snap = session.snapshot()
            assert (snap.target_user_count, snap.spawn_rate) == (3, 3.0)

            # a bad value is refused in place and the run goes on
            await pilot.press("u", "0", "enter")
            assert isinstance(app.screen, UsersModal)
            error = str(app.screen.query_one("#dialog-error").render())
            assert "refused" in error and "users" in error
            await pilot.press("escape")
            assert session.snapshot().target_user_count == 3 and session.snapshot().state == RunState.RUNNING
            await pilot.press("minus", "minus")  # 3 -> 1 -> floor at 1, never 0
            assert session.snapshot().target_user_count == 1

            # pause to 0 users, resume to the level before
            await pilot.press("space")
            assert session.paused and session.snapshot().target_user_count == 0
            await wait_for(pilot, lambda: session.snapshot().user_count == 0, "0 users while paused")
            await pilot.press("space")
            assert not session.paused and session.snapshot().target_user_count == 1

            # switch profile mid-run
            await pilot.press("p")
            assert isinstance(app.screen, ProfileModal)
            await pilot.press("down", "enter")
            snap = session.snapshot()
            assert (
                snap.profile == "other" and snap.target_user_count == 3 and message(app) == "profile -> other"
            )

            # a note, shown in the annotations view
            await pilot.press("n", *"deploy 42", "enter")
            notes = [a for a in session.annotations if a.kind == "note"]
            assert [n.text for n in notes] == ["deploy 42"]
            await pilot.press("a")

            def notes_shown() -> str:
                return str(dashboard(app).query_one("#notes-text").render())

            await wait_for(pilot, lambda: "deploy 42" in notes_shown(), "the note in the annotations view")
            assert "profile -> other" in notes_shown()

            # stop, start again
            await pilot.press("s")
            assert session.snapshot().state == RunState.STOPPED
            await pilot.press("g")
            assert session.snapshot().state in (RunState.SPAWNING, RunState.RUNNING)
            await wait_for(pilot, lambda: session.snapshot().user_count > 0, "users after the restart")

            # quitting during a run asks first; "n" keeps it running, "y" stops and quits
            await pilot.press("q")
            assert isinstance(app.screen, ConfirmQuitModal)
            await pilot.press("n")
            assert isinstance(app.screen, DashboardScreen) and session.snapshot().user_count > 0
            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)
            return session

    session = asyncio.run(drive())
    assert session.state == RunState.QUIT
    assert new_children(children_before) == []


def test_spike_drill_verdict_then_quit_leaves_no_process(tmp_path: Path) -> None:
    """One worker process and the engine's own demo target: the spike is annotated, the verdict shown,
    and quitting leaves neither the worker nor the demo target behind."""
    settings = console_settings(None, workers=1, spike=SpikeDrill(4, 4.0, 2.0), runs_dir=tmp_path)
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, refresh_s=0.5)
    children_before = {p.pid for p in psutil.Process().children(recursive=True)}
    started: list[psutil.Process] = []

    async def drive() -> Any:
        async with app.run_test(size=(80, 24)) as pilot:
            session = await start_run(pilot, app)
            started.extend(new_children(children_before))
            assert len(session.worker_pids) == 1
            await pilot.pause(2.0)  # a little pre-spike history
            await pilot.press("x")
            assert message(app).startswith("spike: 4 users at 4/s for 2s")
            await wait_for(
                pilot, lambda: session.spike_verdict is not None, "the spike verdict", timeout_s=90
            )
            verdict = session.spike_verdict
            assert verdict is not None
            shown = f"spike verdict: {verdict.text}"
            await wait_for(pilot, lambda: message(app) == shown, "the verdict line")
            drills = [a.text for a in session.annotations if a.kind == "drill"]
            assert drills[0].startswith("spike drill: 2 -> 4 users") and "back to 2 users" in drills[1]
            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)
            return session

    session = asyncio.run(drive())
    assert session.state == RunState.QUIT
    assert started, "the worker and the demo target ran as child processes"
    assert [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert new_children(children_before) == []


def test_prepare_error_returns_to_the_start_screen_with_the_message(tmp_path: Path) -> None:
    """A scenario that cannot load is one line on the start screen; the choices stay, nothing runs."""
    broken = tmp_path / "broken.py"
    broken.write_text(
        "from locust import HttpUser, task\n\nclass Broken(HttpUser):\n    @task\n    def t(self):\n"
        "        pass\n\nraise RuntimeError('boom')\n"
    )
    settings = console_settings("http://127.0.0.1:9", workers=0, spike=SpikeDrill(), runs_dir=tmp_path)
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, locustfile=broken)

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            await wait_for(pilot, lambda: "boom" in message(app), "the load error on the start screen")
            assert app.session is None
            assert "RuntimeError: boom" in message(app) and "\n" not in message(app)

    asyncio.run(drive())


def test_external_worker_joins_the_console_master(demo_target: Any, tmp_path: Path) -> None:
    """Locust's own distributed engine from the console: while the master waits, the message line says how
    to start a worker elsewhere; a worker started that way (here on loopback) joins and runs the users."""
    import argparse
    import subprocess
    import sys

    from cli_helpers import free_port

    port = free_port()
    settings = console_settings(demo_target.url, workers=0, spike=SpikeDrill(), runs_dir=tmp_path)
    options = argparse.Namespace(expect_workers=1, master_bind_port=port)
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, refresh_s=0.5, launch_options=options)
    workers: list[subprocess.Popen[bytes]] = []

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await wait_for(pilot, lambda: f"--master-port {port}" in message(app), "how to start a worker")
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "locust",
                        "-f",
                        str(SCENARIOS_DIR / "notifications.py"),
                        "--worker",
                        "--master-host",
                        "127.0.0.1",
                        "--master-port",
                        str(port),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            await wait_for(pilot, lambda: dashboard(app).prepared, "the external worker connected")
            session = app.session
            assert session is not None
            await wait_for(
                pilot, lambda: session.snapshot().total.num_requests > 0, "requests from the worker"
            )
            assert len(session.snapshot().workers) == 1 and session.worker_pids == []
            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)

    try:
        asyncio.run(drive())
        assert workers and workers[0].wait(timeout=20) == 0  # the master's quit ends the worker
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
