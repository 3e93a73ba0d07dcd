"""The users dialog cannot over-drive: keys typed fast land in the field they were typed into, and a value
above the profile's peak or above 4x the current users asks before it applies.

``burst`` hands the app several keys at once, as a terminal read does when keys come faster than the
screen answers (tmux send-keys, a loaded machine): Textual then reads them all before any has been handled.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from textual import events
from textual.app import App

from perfconsole.config import Profile, SpikeDrill
from perfconsole.tui.controls import overdrive_limit, overdrive_reason
from perfconsole.tui.screens.modals import YesNoModal
from perfconsole.tui.screens.users_dialog import UsersModal

KEY_CHARACTERS = {"tab": "\t", "enter": "\r", "escape": "\x1b", "backspace": "\x7f"}


def burst(app: App[Any], *keys: str) -> None:
    """Queue ``keys`` for the app in one go, with no wait between them (one terminal read)."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else KEY_CHARACTERS.get(key))
        event.set_sender(app)
        driver.send_message(event)


def test_overdrive_asks_above_the_peak_or_four_times_the_current_users() -> None:
    assert overdrive_reason(10, current=10, peak=10) is None
    assert overdrive_reason(11, current=10, peak=10) == "above the profile's peak of 10"
    assert overdrive_reason(40, current=10, peak=None) is None
    assert overdrive_reason(41, current=10, peak=None) == "over 4x the current 10"
    assert (
        overdrive_reason(55, current=10, peak=20)
        == "above the profile's peak of 20 and over 4x the current 10"
    )
    assert overdrive_reason(5, current=0, peak=None) == "over 4x the current 0"  # paused: 0 counts as 1
    assert overdrive_reason(4, current=0, peak=None) is None
    assert (overdrive_limit(10, 20), overdrive_limit(10, None), overdrive_limit(0, None)) == (20, 40, 4)


class DialogApp(App[None]):
    """The dialog alone over an empty screen; ``answers`` collects what it returns."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[int, float | None] | None] = []

    def open_dialog(self) -> None:
        self.push_screen(UsersModal(10, 10.0), self.answers.append)


def run_dialog(*steps: tuple[str, ...]) -> list[tuple[int, float | None] | None]:
    """Open the dialog per step and burst that step's keys into it."""
    app = DialogApp()

    async def drive() -> list[tuple[int, float | None] | None]:
        async with app.run_test(size=(80, 24)) as pilot:
            for keys in steps:
                app.open_dialog()
                burst(app, *keys)
                await pilot.pause(0.3)
            return app.answers

    return asyncio.run(drive())


def test_keys_in_one_burst_land_in_their_fields() -> None:
    assert run_dialog(("5", "tab", "5", "enter")) == [(5, 5.0)]
    assert run_dialog(("1", "2", "tab", "tab", "end", "backspace", "3", "enter")) == [(13, 10.0)]
    assert run_dialog(("tab", "shift+tab", "7", "tab", "backspace", "enter")) == [(7, None)]
    assert run_dialog(("tab", "2", ".", "5", "escape")) == [None]


def test_a_bad_value_is_refused_in_place() -> None:
    app = DialogApp()

    async def drive() -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            app.open_dialog()
            burst(app, "0", "enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, UsersModal) and app.answers == []
            return str(app.screen.query_one("#dialog-error").render())

    error = asyncio.run(drive())
    assert "refused" in error and "users" in error


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_fast_keys_on_a_real_run_set_what_was_typed_and_overdrive_asks(
    demo_target: Any, tmp_path: Path
) -> None:
    """A real in-process run of a 10-user profile: ``5`` Tab ``5`` Enter at full speed (Pilot, then all
    keys with ``u`` in one terminal read) sets 5 users at 5/s; 33 users (over 4x and over the peak) asks,
    ``n`` keeps the run as it was, ``y`` applies."""
    from test_tui_pilot import SCENARIOS_DIR, console_settings, start_run, wait_for

    from perfconsole.tui.app import make_app

    settings = console_settings(demo_target.url, workers=0, spike=SpikeDrill(4, 4.0, 2.0), runs_dir=tmp_path)
    settings.profiles["tiny"] = Profile("tiny", 10, 10.0, None, description="ten users")
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, refresh_s=0.5)

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            session = await start_run(pilot, app)
            assert session.snapshot().target_user_count == 10

            await pilot.press("u")
            assert isinstance(app.screen, UsersModal)
            await pilot.press("5", "tab", "5", "enter")
            assert (session.snapshot().target_user_count, session.snapshot().spawn_rate) == (5, 5.0)

            burst(app, "u", "8", "tab", "8", "enter")
            await wait_for(pilot, lambda: session.snapshot().target_user_count != 5, "the burst applied")
            assert (session.snapshot().target_user_count, session.snapshot().spawn_rate) == (8, 8.0)

            burst(app, "u", "3", "3", "enter")  # 33 > 4 x 8 and > the peak of 10
            await wait_for(pilot, lambda: isinstance(app.screen, YesNoModal), "the confirmation")
            question = str(app.screen.query_one("#question").render())
            assert "33 users at 8/s is above the profile's peak of 10 and over 4x the current 8" in question
            await pilot.press("n")
            assert session.snapshot().target_user_count == 8

            burst(app, "u", "1", "2", "tab", "4", "enter")  # 12 > the peak only
            await wait_for(pilot, lambda: isinstance(app.screen, YesNoModal), "the confirmation")
            await pilot.press("y")
            assert (session.snapshot().target_user_count, session.snapshot().spawn_rate) == (12, 4.0)
            await wait_for(pilot, lambda: session.snapshot().user_count == 12, "12 users running")

            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=20)

    asyncio.run(drive())
