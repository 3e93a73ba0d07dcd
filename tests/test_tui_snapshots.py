"""Snapshot tests of the start screen and the dashboard at 80x24 and 120x40 (hand-built, fixed data).

Update after a deliberate change with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes import FakeSession
from test_tui_data import SCENARIOS, settings, snapshot

from perfconsole.tui.app import PerfConsoleApp, make_app


def no_sessions(choice: Any) -> Any:
    raise AssertionError("snapshot tests never start a run")


def start_app() -> PerfConsoleApp:
    return make_app(settings(), scenarios=SCENARIOS, session_factory=no_sessions)


def dashboard_app() -> PerfConsoleApp:
    return make_app(
        settings(),
        scenarios=SCENARIOS,
        session_factory=no_sessions,
        session=FakeSession(snapshot()),  # type: ignore[arg-type]
    )


def test_start_screen_80x24(snap_compare: Any) -> None:
    assert snap_compare(start_app(), terminal_size=(80, 24))


def test_start_screen_120x40(snap_compare: Any) -> None:
    assert snap_compare(start_app(), terminal_size=(120, 40))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_dashboard(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard_app(), terminal_size=size)


def test_dashboard_whole_run_with_failures_view_80x24(snap_compare: Any) -> None:
    """``v`` switches the table to whole-run figures (p95 breach marked ▲), ``f`` shows grouped failures."""
    assert snap_compare(dashboard_app(), terminal_size=(80, 24), press=["v", "f"])


def test_help_screen(snap_compare: Any) -> None:
    assert snap_compare(dashboard_app(), terminal_size=(80, 24), press=["question_mark"])


def test_worst_first_then_endpoint_detail_80x24(snap_compare: Any) -> None:
    """``W`` sorts by p95, worst first (``p95 ▼`` in the header); Enter on the first endpoint row opens it:
    its ladder (window, measured, corrected), charts, failures and stages."""
    assert snap_compare(dashboard_app(), terminal_size=(80, 24), press=["W", "down", "enter"])


def test_dashboard_rate_panel_80x24(snap_compare: Any) -> None:
    """An arrival-rate run: the rate panel (target, achieved, dropped/s, start lag, pool, verdict) and the
    status bar's rate fields."""
    from dataclasses import replace

    from perfconsole.model.arrival import ArrivalStatus

    status = ArrivalStatus(300.0, 287.4, 12.6, 480.0, 50, 50, 50, 40, 2)
    session = FakeSession(replace(snapshot(), arrival=status, stage="300/s"))
    app = make_app(settings(), scenarios=SCENARIOS, session_factory=no_sessions, session=session)  # type: ignore[arg-type]
    assert snap_compare(app, terminal_size=(80, 24))
