"""The start screen's target fields (target process, metrics URL, run name): parsed purely, checked in
place as they are typed, and used by a real run that is saved under the name."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from test_tui_pilot import console_settings, message, start_run, wait_for
from textual.widgets import Input, OptionList

from perfconsole.config import Profile, SpikeDrill
from perfconsole.errors import UserError
from perfconsole.model.run import RunState
from perfconsole.store.runs import find_run_dir, list_runs
from perfconsole.tui.app import make_app
from perfconsole.tui.start_fields import field_error
from perfconsole.tui.target_fields import parse_metrics_url, parse_run_name, parse_target_process
from perfconsole.user_mix import UserMix

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def test_field_parsers() -> None:
    assert parse_target_process("") == (None, None)
    assert parse_target_process(" 4242 ") == (4242, None)
    assert parse_target_process("gunicorn") == (None, "gunicorn")
    for bad in ("0", "-3", "/usr/bin/x"):
        with pytest.raises(UserError, match="^target process: "):
            parse_target_process(bad)
    assert parse_metrics_url("") is None
    assert parse_metrics_url("http://staging-api:9100/metrics") == "http://staging-api:9100/metrics"
    with pytest.raises(UserError, match=r"^metrics URL: expected an http\(s\) URL"):
        parse_metrics_url("staging-api:9100")
    assert parse_run_name("") is None and parse_run_name("mybase") == "mybase"
    with pytest.raises(UserError, match="run name"):
        parse_run_name("../up")
    assert field_error("host", "x") is None and field_error("run-name", "ok") == ""
    assert field_error("run-name", "a b") == (
        "invalid run name 'a b': use 1-64 letters, digits, '-', '_' or '.', not starting with '.' or '-'"
    )


def test_cli_values_prefill_the_fields(tmp_path: Path) -> None:
    settings = console_settings("http://127.0.0.1:9", workers=0, spike=SpikeDrill(), runs_dir=tmp_path)
    options = argparse.Namespace(target_process="postgres", metrics_url="http://u:pw@db:9187/metrics")
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, launch_options=options)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)):
            assert app.screen.query_one("#target-process", Input).value == "postgres"
            assert app.screen.query_one("#metrics-url", Input).value == "http://u:***@db:9187/metrics"
            choice = app.screen.choice()  # the masked value still means the real one
            assert choice.metrics_url == "http://u:pw@db:9187/metrics" and choice.target_process == "postgres"
            assert app.screen.query_one("#run-name", Input).value == ""

    asyncio.run(drive())


def test_unknown_class_in_a_profile_is_refused_on_the_start_screen(tmp_path: Path) -> None:
    settings = console_settings("http://127.0.0.1:9", workers=0, spike=SpikeDrill(), runs_dir=tmp_path)
    typo = Profile("typo", 2, 2.0, None, mix=UserMix({"NotificationsUsr": 3}))
    settings = replace(settings, profiles={"typo": typo}, default_profile="typo")
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            app.screen.query_one("#scenarios", OptionList).highlighted = 0
            await pilot.press("enter")
            await pilot.pause(0.2)
            assert message(app).startswith("profile 'typo': unknown user class 'NotificationsUsr'"), message(
                app
            )
            assert app.session is None

    asyncio.run(drive())


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_fields_checked_in_place_then_used_by_a_named_run(demo_target: Any, tmp_path: Path) -> None:
    settings = console_settings(demo_target.url, workers=0, spike=SpikeDrill(), runs_dir=tmp_path)
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, refresh_s=0.5)

    async def drive() -> Any:
        async with app.run_test(size=(100, 30)) as pilot:
            fields = {
                name: app.screen.query_one(f"#{name}", Input) for name in ("target-process", "metrics-url")
            }
            fields["run-name"] = app.screen.query_one("#run-name", Input)
            fields["metrics-url"].value = "metrics:9100"
            await pilot.pause(0.1)
            assert message(app).startswith("metrics URL: expected an http(s) URL"), message(app)
            fields["metrics-url"].value = f"{demo_target.url}/metrics"
            await pilot.pause(0.1)
            assert message(app) == ""
            fields["target-process"].value = "-1"
            await pilot.pause(0.1)
            assert message(app).startswith("target process: "), message(app)
            fields["target-process"].value = str(demo_target.pid)
            await pilot.pause(0.1)
            fields["run-name"].value = "console-run"
            await pilot.pause(0.1)
            assert message(app) == ""
            session = await start_run(pilot, app)
            assert session.plan.target_pid == demo_target.pid
            assert session.plan.metrics_url == f"{demo_target.url}/metrics"
            await pilot.press("s")
            await wait_for(pilot, lambda: len(list_runs(tmp_path)) == 1, "the final save")
            assert session.snapshot().state == RunState.STOPPED
            await pilot.press("q")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)

    asyncio.run(drive())
    (info,) = list_runs(tmp_path)
    assert info.name == "console-run" and find_run_dir("console-run", tmp_path) == info.path
