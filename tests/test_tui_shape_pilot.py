"""Pilot test: the console runs a locustfile's LoadTestShape chosen on the start screen, a live control
under the shape asks first, then leaves it with an annotation and a "manual" status line; `l` shows the
log."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from test_tui_pilot import wait_for

from perfconsole.config import Limits, Profile, Settings, SpikeDrill, Thresholds
from perfconsole.model.run import RunState
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.shape_guard import LeaveShapeModal
from perfconsole.tui.views.status import status_fields
from perfconsole.tui.widgets.message_line import MessageLine

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

ROOT = Path(__file__).resolve().parent.parent
SHAPED = '''"""One user for a minute, as a LoadTestShape."""

from locust import HttpUser, LoadTestShape, constant, task


class Pinger(HttpUser):
    wait_time = constant(0.2)

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")


class OneUserAMinute(LoadTestShape):
    def tick(self):
        return (1, 10) if self.get_run_time() < 60 else None
'''


def test_console_runs_a_locustfile_shape_and_plus_asks_then_annotates(
    demo_target: Any, tmp_path: Path
) -> None:
    locustfile = tmp_path / "shaped.py"
    locustfile.write_text(SHAPED)
    settings = Settings(
        source=None,
        host=demo_target.url,
        workers=0,
        runs_dir=tmp_path / "runs",
        profiles={"tiny": Profile("tiny", 2, 2.0, None, description="two users until stopped")},
        thresholds=Thresholds(default=Limits(p95_ms=5000.0)),
        spike=SpikeDrill(),
        default_profile="tiny",
        default_scenario="notifications",
    )
    app = make_app(
        settings, scenarios_dir=ROOT / "scenarios", locustfile=locustfile, users_step=2, refresh_s=0.5
    )

    def message() -> str:
        return str(app.screen.query_one(MessageLine).message)

    async def drive() -> Any:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.5)  # no --profile: the locustfile's shape is preselected, as Locust runs it
            info = app.screen.query_one("#profile-info")
            await wait_for(
                pilot, lambda: "up to 1 users, ends after 60s" in str(info.render()), "the preview"
            )
            assert "OneUserAMinute" in str(info.render())

            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
            session = app.session
            assert session is not None
            await wait_for(pilot, lambda: session.snapshot().user_count == 1, "the shape's user")
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            shown = screen  # + steps from the target the screen shows: wait until it shows the shape's 1
            await wait_for(
                pilot,
                lambda: shown.snapshot is not None and shown.snapshot.target_user_count == 1,
                "the screen showing the shape's user",
            )
            assert session.active_shape == "OneUserAMinute"
            assert session.snapshot().stage == "OneUserAMinute"

            await pilot.press("plus")  # asks first; "n" keeps the shape
            assert isinstance(app.screen, LeaveShapeModal)
            await pilot.press("n")
            assert session.active_shape == "OneUserAMinute" and message().startswith(
                "kept shape OneUserAMinute"
            )

            await pilot.press("plus")
            assert isinstance(app.screen, LeaveShapeModal)
            await pilot.press("y")
            await wait_for(pilot, lambda: session.snapshot().user_count == 3, "the operator's 3 users")
            snap = session.snapshot()
            assert session.active_shape is None and snap.target_user_count == 3
            assert "manual" in status_fields(snap, True)
            left = [a.text for a in session.annotations if a.text.startswith("left shape")]
            assert left == ["left shape OneUserAMinute (OneUserAMinute): manual control by users"]

            # the log view shows the operator log (workers' output, Locust's warnings), newest last
            session.output_log.add("worker 1", "hello from a worker")
            await pilot.press("l")
            await pilot.pause(0.6)
            shown = str(app.screen.query_one("#log-text").render())
            assert shown.splitlines()[-1] == "[worker 1] hello from a worker"

            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)
            return session

    session = asyncio.run(drive())
    assert session.state == RunState.QUIT
