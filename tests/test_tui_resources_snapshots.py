"""Snapshot tests of the dashboard's resources panel and saturation banner (hand-built, fixed samples).

Update after a deliberate change with ``pytest tests/test_tui_resources_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from fakes import FakeResourceSession
from test_tui_data import SCENARIOS, settings
from test_tui_resources_data import ramp_samples

from perfconsole.tui.app import PerfConsoleApp, make_app

TARGET_LABEL = "pid 4242 (python3), listening on port 8000"


def no_sessions(choice: Any) -> Any:
    raise AssertionError("snapshot tests never start a run")


def resources_app(busy_from: float | None = None) -> PerfConsoleApp:
    session = FakeResourceSession(ramp_samples(95, busy_from=busy_from), target_label=TARGET_LABEL)
    return make_app(settings(), scenarios=SCENARIOS, session_factory=no_sessions, session=session)  # type: ignore[arg-type]


def test_resources_panel_saturated_80x24(snap_compare: Any) -> None:
    """Compact: one line each for generator, box, target, metrics and limits; the active banner."""
    assert snap_compare(resources_app(busy_from=80), terminal_size=(80, 24), press=["m"])


def test_resources_panel_detail_120x40(snap_compare: Any) -> None:
    """Detail: per-process and per-core lines, target detail, connections by state, and the charts."""
    assert snap_compare(resources_app(), terminal_size=(120, 40), press=["m"])


def test_resources_charts_80x24(snap_compare: Any) -> None:
    """``m`` again: the resource charts alone (CPU, target RSS, DB pool, queue depth)."""
    assert snap_compare(resources_app(), terminal_size=(80, 24), press=["m", "m"])
