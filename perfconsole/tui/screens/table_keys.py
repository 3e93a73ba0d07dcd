"""The endpoint table's keys on the dashboard: sort (``o``, ``O``), worst first (``W``), filter (``/``,
Esc clears), the row cursor and Enter, which opens the endpoint in focus; ``z`` freezes the view."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input

from perfconsole.model.run import RunSnapshot
from perfconsole.tui.formatting import fmt_duration
from perfconsole.tui.frame import Frame
from perfconsole.tui.screens.endpoint import EndpointScreen
from perfconsole.tui.screens.store_keys import RunStoreScreen
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.tui.views.endpoint_history import EndpointHistory
from perfconsole.tui.views.endpoint_table import TableChoice, flipped, next_sort, worst_first
from perfconsole.tui.widgets.percentile_table import PercentileTable
from perfconsole.tui.widgets.status_bar import StatusBar


class EndpointTableScreen(RunStoreScreen):
    """A screen with the endpoint table (``#table``) and its filter field (``#filter``); the subclass
    polls the session and draws the table in :meth:`show_table` with :attr:`table_choice`."""

    session: ConsoleSession
    prepared: bool
    refresh_s: float
    frame: Frame | None
    """The latest tick's frame (the subclass builds one per poll; with stages while an endpoint is open)."""

    def __init__(self) -> None:
        super().__init__()
        self.table_choice = TableChoice()
        """Sort and filter of the endpoint table: kept across the window / whole-run switch."""
        self.endpoint_history = EndpointHistory()
        """Each endpoint's own series, for its detail screen (the subclass records every poll)."""
        self.frozen: RunSnapshot | None = None
        """The snapshot the view is frozen on (``z``); None: live. The run, its saves and the series go on."""
        self.endpoint_open = False
        """An endpoint's detail is on screen: each tick's frame then carries the figures per stage."""

    def show_table(self) -> None:
        raise NotImplementedError

    def refresh_view(self, charts: bool = True) -> None:
        raise NotImplementedError

    def shown(self) -> RunSnapshot | None:
        """The snapshot the view shows: the frozen one, else the latest."""
        return self.frozen if self.frozen is not None else self.live_snapshot()

    def action_freeze(self) -> None:
        """Freeze the view at this moment while collection goes on; pressed again, catch up."""
        status = self.query_one(StatusBar)
        if self.frozen is not None:
            self.frozen, status.frozen = None, ""
            self.say("live again")
            self.refresh_view()
            return
        snapshot = self.live_snapshot()
        if snapshot is None:
            self.say("still starting: nothing to freeze yet", "error")
            return
        self.frozen = snapshot
        status.frozen = f"FROZEN at {fmt_duration(snapshot.elapsed_s)} (z: live)"
        self.say("view frozen: the run goes on, figures keep being collected (z catches up)", "warning")

    def _choose(self, choice: TableChoice, said: str) -> None:
        self.table_choice = choice
        self.show_table()
        self.say(said)

    def action_sort_next(self) -> None:
        choice = next_sort(self.table_choice)
        self._choose(choice, f"table sorted by {choice.label} (o next column, O flips)")

    def action_sort_flip(self) -> None:
        choice = flipped(self.table_choice)
        self._choose(choice, f"table sorted by {choice.label}")

    def action_worst_first(self) -> None:
        choice = worst_first(self.table_choice)
        again = "p95" if choice.sort == "fail" else "fail"
        self._choose(choice, f"worst first: {choice.label} (W again: {again})")

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = self.table_choice.filter
        field.display = True
        # `/` is bound with priority, so this runs before the app reads the next key, and the focus moves at
        # once (Widget.focus waits a message): keys typed fast after `/` land in the field, not on the table
        self.set_focus(field)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.table_choice = replace(self.table_choice, filter=event.value)
            self.show_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.input.display = False
            self.query_one(PercentileTable).focus()
            shown = f'"{self.table_choice.filter}"' if self.table_choice.filter else "none"
            self.say(f"filter {shown} (/ edits, Esc clears)")

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        had = bool(self.table_choice.filter) or field.display
        field.display = False
        self.query_one(PercentileTable).focus()
        if had:
            self._choose(replace(self.table_choice, filter=""), "filter cleared")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the filter is typed into, keys bound with priority are text (``u`` or ``/`` in a name)."""
        if action in ("set_users", "filter") and isinstance(self.focused, Input):
            return False
        return True

    def on_data_table_row_selected(self, event: PercentileTable.RowSelected) -> None:
        if isinstance(event.data_table, PercentileTable) and event.row_key.value is not None:
            self.open_endpoint(event.row_key.value)

    def action_open_endpoint(self) -> None:
        key = self.query_one(PercentileTable).cursor_key
        if key is not None:
            self.open_endpoint(key)

    def open_endpoint(self, key: str) -> None:
        if self.live_snapshot() is None:
            self.say("still starting: no endpoints yet", "error")
            return
        self.endpoint_open = True
        self.refresh_view()  # a frame with the figures per stage, for the detail's first draw
        self.app.push_screen(EndpointScreen(self, key), self._endpoint_closed)

    def _endpoint_closed(self, _result: None) -> None:
        self.endpoint_open = False

    # what the endpoint screen reads besides the frame (perfconsole.tui.screens.endpoint.EndpointSource)
    def baseline_snapshot(self) -> RunSnapshot | None:
        baseline = self.recorder.baseline if self.recorder is not None else None
        return baseline.result.final if baseline is not None else None
