"""Secrets planted in a target URL's password, in query tokens of endpoint names and in failure texts never
appear on stdout, stderr or the console's screens (start screen, dashboard table, failures, notes, message
line), while the masked forms do (so the places looked at really show those texts)."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_perfconsole
from fakes import FakeSession
from test_tui_data import SCENARIOS, endpoint, settings, snapshot

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.model.run import ErrorStats, ExceptionStats
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.start import StartScreen

PLANTED = ("PLANTEDTOKEN1", "PLANTEDKEY2", "PLANTEDPW3")

LOCUSTFILE = """
from locust import HttpUser, constant, task


class Leaky(HttpUser):
    wait_time = constant(0.05)

    @task
    def health(self) -> None:
        self.client.get("/api/v1/health/?token=PLANTEDTOKEN1")

    @task
    def missing(self) -> None:
        self.client.get("/no/such/page?api_key=PLANTEDKEY2")
"""


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=1) as demo:
        yield demo


def _screen(app: Any) -> str:
    """The screen's text from its SVG screenshot (entities and non-breaking spaces undone)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def _assert_clean(text: str, where: str) -> None:
    for secret in PLANTED:
        assert secret not in text, f"{secret} shown in {where}"


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_headless_stdout_and_stderr_hold_no_secret(tmp_path: Path, target: DemoTargetProcess) -> None:
    (tmp_path / "leaky.py").write_text(LOCUSTFILE)
    (tmp_path / "config.toml").write_text("[thresholds]\np95_ms = 0.001\nerror_rate_pct = 50\n")
    host = target.url.replace("http://", "http://user:PLANTEDPW3@")
    args = ["run", "--headless", "-f", "leaky.py", "-u", "2", "-r", "2", "-t", "3s", "--workers", "0"]
    done = run_perfconsole([*args, "--host", host, "--runs-dir", "runs"], tmp_path)
    assert done.returncode == 10, done.stderr  # the thresholds fail: FAIL lines name the endpoints
    _assert_clean(done.stdout, "stdout")
    _assert_clean(done.stderr, "stderr")
    assert "FAIL GET /no/such/page?api_key=***" in done.stdout
    assert "/api/v1/health/?token=***" in done.stdout
    assert "http://user:***@127.0.0.1" in done.stderr
    for path in (tmp_path / "runs").rglob("*"):  # and on disk, as before
        if path.is_file():
            _assert_clean(path.read_text(errors="replace"), str(path))


def _leaky_session() -> FakeSession:
    snap = snapshot()
    snap = replace(
        snap,
        host="http://user:PLANTEDPW3@127.0.0.1:8000",
        endpoints=(*snap.endpoints, endpoint("GET", "/api/items?token=PLANTEDTOKEN1", 500, 5, 30.0)),
        errors=(ErrorStats("GET", "/no/such?api_key=PLANTEDKEY2", "404 for url ?api_key=PLANTEDKEY2", 5),),
        exceptions=(ExceptionStats(1, "auth failed token=PLANTEDTOKEN1", "Traceback: token=PLANTEDTOKEN1"),),
    )
    session = FakeSession(snap)
    session.annotate("retried with ?token=PLANTEDTOKEN1", kind="note")
    session.output_lines.append("[worker 1] GET http://user:PLANTEDPW3@host/x?api_key=PLANTEDKEY2 failed")
    return session


def test_console_screens_hold_no_secret() -> None:
    async def scenario() -> None:
        start = make_app(settings(), scenarios=SCENARIOS, host="http://user:PLANTEDPW3@127.0.0.1:8000")
        async with start.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = _screen(start)
            _assert_clean(screen, "the start screen")
            assert "user:***@127.0.0.1" in screen
            assert isinstance(start.screen, StartScreen)
            assert start.screen.choice().host == "http://user:PLANTEDPW3@127.0.0.1:8000"  # still used

        app = make_app(settings(), scenarios=SCENARIOS, session=_leaky_session())  # type: ignore[arg-type]
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
            app.screen.say("saved http://user:PLANTEDPW3@host/?token=PLANTEDTOKEN1")
            await pilot.pause()
            table = _screen(app)
            assert "token=***" in table
            await pilot.press("f")
            await pilot.pause()
            failures = _screen(app)
            assert "api_key=***" in failures
            await pilot.press("a")
            await pilot.pause()
            notes = _screen(app)
            assert "retried with ?token=***" in notes
            await pilot.press("l")
            await pilot.pause()
            log = _screen(app)
            assert "[worker 1] GET http://user:***@host/x?api_key=***" in log
            views = (
                ("dashboard", table),
                ("failures view", failures),
                ("notes view", notes),
                ("log view", log),
            )
            for name, text in views:
                _assert_clean(text, name)

    asyncio.run(scenario())
