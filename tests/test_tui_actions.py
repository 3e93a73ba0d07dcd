"""Each screen's one action list: every action is bound, has a method, is on the key bar (the least used
leave it at narrow widths), in help and in the command palette; the bar keeps to two lines."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeSession
from test_tui_data import SCENARIOS, settings, snapshot
from test_tui_store_snapshots import browser_app
from textual.screen import Screen

from perfconsole.tui.actions import (
    ALWAYS,
    DASHBOARD_ACTIONS,
    PALETTE,
    QUIT_ACTION,
    RARELY,
    ActionSpec,
    help_lines,
    key_bar_lines,
    palette_actions,
)
from perfconsole.tui.app import PerfConsoleApp, make_app
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.endpoint import EndpointScreen
from perfconsole.tui.screens.keyed import KeyedScreen
from perfconsole.tui.screens.run_browser import CompareScreen, RunBrowserScreen, RunDetailScreen
from perfconsole.tui.screens.start import StartScreen
from perfconsole.tui.widgets.key_bar import KeyBar

SCREENS: tuple[type[KeyedScreen], ...] = (
    StartScreen,
    DashboardScreen,
    RunBrowserScreen,
    RunDetailScreen,
    CompareScreen,
    EndpointScreen,
)


def bar_fields(actions: tuple[ActionSpec, ...], width: int) -> list[str]:
    return [field for line in key_bar_lines(actions, width)[1] for field in line]


def field(spec: ActionSpec) -> str:
    return f"{spec.display_key} {spec.label}"


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.__name__)
def test_every_action_is_bound_handled_listed_and_helped(screen: type[KeyedScreen]) -> None:
    actions = screen.ACTIONS
    assert actions, "a screen with keys lists them"
    bound = {(b.key, b.action) for b in screen.BINDINGS if not isinstance(b, tuple)}
    assert bound == {(spec.keys, spec.action) for spec in actions}
    keys = [key for spec in actions for key in spec.keys.split(",")]
    assert len(keys) == len(set(keys)), "a key bound twice"
    for spec in actions:
        owner: type[Any] = PerfConsoleApp if spec.action.startswith("app.") else screen
        assert callable(getattr(owner, spec.method, None)), f"{screen.__name__}: no {spec.method}"
    assert bar_fields(actions, 400) == [*(field(spec) for spec in actions), field(PALETTE)]
    helped = help_lines(actions)
    for spec in (*actions, PALETTE):
        assert any(line.endswith(spec.description) for line in helped), spec
    assert palette_actions(actions) == [spec for spec in actions if spec.action != QUIT_ACTION]


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.__name__)
def test_key_bar_fits_two_lines_and_keeps_the_essential_keys(screen: type[KeyedScreen], width: int) -> None:
    separator, lines = key_bar_lines(screen.ACTIONS, width)
    assert 1 <= len(lines) <= 2
    assert all(len(separator.join(line)) <= width for line in lines), lines
    shown = bar_fields(screen.ACTIONS, width)
    for spec in screen.ACTIONS:
        if spec.rank == ALWAYS:
            assert field(spec) in shown, (width, spec)


def test_dashboard_bar_keeps_the_often_used_keys_at_80_and_the_rest_is_one_question_mark_away() -> None:
    at_80, at_120 = bar_fields(DASHBOARD_ACTIONS, 80), bar_fields(DASHBOARD_ACTIONS, 120)
    dropped = [spec for spec in DASHBOARD_ACTIONS if field(spec) not in at_80]
    assert dropped and all(spec.rank == RARELY for spec in dropped)
    for shown in ("m res", "r runs", "v view", "enter open", "/ filter", "o sort", "W worst", "? keys"):
        assert shown in at_80
    assert at_120 == at_80  # the bar gains no key it cannot show whole; help lists them all
    helped = help_lines(DASHBOARD_ACTIONS)
    assert all(any(line.endswith(spec.description) for line in helped) for spec in dropped)


def palette_titles(app: PerfConsoleApp, screen: Screen[Any]) -> list[str]:
    return [command.title for command in app.get_system_commands(screen)]


def check_screen(app: PerfConsoleApp, kind: type[KeyedScreen]) -> None:
    """The screen on top is ``kind``; its palette lists its actions; its key bar takes at most 2 lines."""
    screen = app.screen
    assert isinstance(screen, kind), screen
    titles = palette_titles(app, screen)
    for spec in palette_actions(kind.ACTIONS):
        assert spec.description in titles, (kind.__name__, spec.description)
    assert "Quit" in titles  # Textual's own command runs the console's quit
    assert screen.query_one(KeyBar).size.height <= 2


def test_palette_and_key_bar_on_every_screen(tmp_path: Path) -> None:
    """Start screen, run browser, a run's view and the comparison (saved runs), then the dashboard."""
    app = browser_app(tmp_path / "runs")

    async def drive_store() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            check_screen(app, StartScreen)
            await pilot.press("r")
            check_screen(app, RunBrowserScreen)
            await pilot.press("down", "enter")
            check_screen(app, RunDetailScreen)
            await pilot.press("escape", "space", "down", "space", "c")
            check_screen(app, CompareScreen)

    asyncio.run(drive_store())
    dashboard = make_app(
        settings(),
        scenarios=SCENARIOS,
        session_factory=lambda choice: FakeSession(snapshot()),  # type: ignore[arg-type,return-value]
        session=FakeSession(snapshot()),  # type: ignore[arg-type]
    )

    async def drive_dashboard() -> None:
        async with dashboard.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            check_screen(dashboard, DashboardScreen)
            await pilot.press("m")
            assert dashboard.screen.query_one("#views").current == "resources"  # type: ignore[attr-defined]

    asyncio.run(drive_dashboard())


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.__name__)
def test_bindings_carry_an_id_the_key_shown_and_the_help_line_as_tooltip(screen: type[KeyedScreen]) -> None:
    bound = [b for b in screen.BINDINGS if not isinstance(b, tuple)]
    ids = [b.id for b in bound]
    assert all(ids) and len(ids) == len(set(ids)), ids
    assert all(i is not None and i.startswith("perfconsole.") and " " not in i for i in ids)
    by_action = {spec.action: spec for spec in screen.ACTIONS}
    for binding in bound:
        spec = by_action[binding.action]
        assert (binding.tooltip, binding.key_display) == (spec.description, spec.display_key)
