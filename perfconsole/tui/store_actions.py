"""Keys of the run store's actions (snapshots, baselines, run browser), added to the console's registry."""

from __future__ import annotations

from perfconsole.tui.actions import DASHBOARD_ACTIONS, START_ACTIONS, ActionSpec

DASHBOARD_STORE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("S", "snapshot", "snap", "Save a snapshot of the run now, with a note"),
    ActionSpec("B", "promote_baseline", "→base", "Promote the last saved run to a named baseline"),
    ActionSpec("b", "choose_baseline", "base", "Compare live with a baseline (or none)"),
    ActionSpec("r", "browse_runs", "runs", "Browse saved runs and baselines"),
)

START_STORE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("b", "choose_baseline", "baseline", "Pick the baseline to compare with during the run"),
    ActionSpec("r", "browse_runs", "runs", "Browse saved runs and baselines"),
)

BROWSER_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("enter", "open_entry", "open", "Open the run under the cursor (read-only)"),
    ActionSpec("space", "mark_entry", "mark", "Mark/unmark a run for comparison (two at most)"),
    ActionSpec("c", "compare_marked", "compare", "Compare the two marked runs"),
    ActionSpec("f5,R", "reload", "reload", "Read the runs directory again"),
    ActionSpec("escape,q", "close", "back", "Back"),
)

DETAIL_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("c", "show('charts')", "charts", "Show the run's charts"),
    ActionSpec("a", "show('notes')", "notes", "Show the run's annotations"),
    ActionSpec("f", "show('failures')", "fails", "Show the run's failures and exceptions"),
    ActionSpec("escape,q", "close", "back", "Back to the run browser"),
)

COMPARE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("escape,q", "close", "back", "Back to the run browser"),
)


def with_store_actions(
    actions: tuple[ActionSpec, ...], extra: tuple[ActionSpec, ...]
) -> tuple[ActionSpec, ...]:
    """``actions`` with ``extra`` inserted before the closing help and quit keys."""
    tail = tuple(spec for spec in actions if spec.action in ("help", "app.quit_console"))
    head = tuple(spec for spec in actions if spec not in tail)
    return (*head, *extra, *tail)


DASHBOARD_KEYS = with_store_actions(DASHBOARD_ACTIONS, DASHBOARD_STORE_ACTIONS)
"""Every dashboard key: the run controls, the store's keys, then help and quit."""
START_KEYS = with_store_actions(START_ACTIONS, START_STORE_ACTIONS)
DASHBOARD_PALETTE_ACTIONS = (*DASHBOARD_ACTIONS, *DASHBOARD_STORE_ACTIONS)
"""Dashboard actions the app lists in the command palette (panels add their own providers)."""
