"""The run browser: saved runs and baselines (newest first), a read-only run view and a comparison view."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Label

from perfconsole.errors import UserError
from perfconsole.store.corrected import corrected_lines
from perfconsole.store.endpoint_steps import EndpointStep, read_steps
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.stats_history import EndpointSecond, endpoint_seconds
from perfconsole.tui.actions import BROWSER_ACTIONS, COMPARE_ACTIONS, DETAIL_ACTIONS, bindings
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.screens.keyed import KeyedScreen
from perfconsole.tui.store_view import (
    BROWSER_COLUMNS,
    COMPARISON_COLUMNS,
    BrowserEntry,
    browser_cells,
    compare_order,
    comparison_lines,
    comparison_verdict,
    detail_lines,
    entry_summary,
    toggle_selection,
)
from perfconsole.tui.views.annotations import annotation_lines
from perfconsole.tui.views.charts import dashboard_charts
from perfconsole.tui.views.failures import exception_rows, failure_rows
from perfconsole.tui.views.table import lazy_table_rows
from perfconsole.tui.views.time_cursor import (
    cursor_line,
    endpoints_at,
    endpoints_at_step,
    next_annotation,
    point_at,
    run_end,
    stepped,
    total_at,
    with_cursor,
)
from perfconsole.tui.widgets.capacity_panel import CapacityPanel
from perfconsole.tui.widgets.charts import ChartsPanel
from perfconsole.tui.widgets.key_bar import KeyBar
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.percentile_table import PercentileTable
from perfconsole.tui.widgets.tables import FailuresView, NotesView
from perfconsole.verdicts.regression import compare


class _StoreScreen(KeyedScreen):
    """A run-store screen (browser, detail, comparison): each has its message line."""

    def action_close(self) -> None:
        self.dismiss(None)


class RunBrowserScreen(_StoreScreen):
    """Every saved run and baseline with its key figures; broken directories listed with their error."""

    ACTIONS = BROWSER_ACTIONS
    BINDINGS = bindings(BROWSER_ACTIONS)
    COMPONENT_CLASSES = {"run-browser--broken", "run-browser--baseline"}
    """A broken directory's row, a baseline's row (app.tcss)."""

    def __init__(self, recorder: RunRecorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.entries: list[BrowserEntry] = []
        self.selected: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Label("", id="browser-title", classes="view-title")
        yield DataTable[Text](id="browser-table", cursor_type="row", zebra_stripes=False)
        yield Label("", id="browser-entry")
        yield MessageLine(id="browser-message")
        yield KeyBar(self.ACTIONS, id="browser-keys")

    def on_mount(self) -> None:
        table = self.query_one("#browser-table", DataTable)
        for column, header in BROWSER_COLUMNS:
            table.add_column(header, key=column)
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        try:
            self.entries = self.recorder.catalog()
        except UserError as exc:
            self.entries = []
            self.say(str(exc), "error")
        keys = {e.key for e in self.entries}
        self.selected = tuple(k for k in self.selected if k in keys)
        runs = sum(1 for e in self.entries if e.kind in ("final", "manual"))
        baselines = sum(1 for e in self.entries if e.kind == "baseline")
        broken = sum(1 for e in self.entries if e.broken)
        title = f"Saved runs, newest first: {runs} runs, {baselines} baselines"
        self.query_one("#browser-title", Label).update(Text(title + (f", {broken} broken" if broken else "")))
        self._fill()
        if not self.entries:
            self.say(f"no saved runs in {self.recorder.runs_dir} yet: a run is saved when it stops")
        else:
            self.say("enter opens, space marks two, c compares")

    def _fill(self) -> None:
        table = self.query_one("#browser-table", DataTable)
        row = table.cursor_row
        table.clear()
        for entry in self.entries:
            cells = browser_cells(entry, entry.key in self.selected)
            role = "broken" if entry.broken else ("baseline" if entry.kind == "baseline" else "")
            style = self.get_component_rich_style(f"run-browser--{role}", partial=True) if role else ""
            table.add_row(*(Text(cell, style=style) for cell in cells), key=entry.key)
        if self.entries:
            table.move_cursor(row=min(row, len(self.entries) - 1))

    def current_entry(self) -> BrowserEntry | None:
        table = self.query_one("#browser-table", DataTable)
        if not self.entries or table.cursor_row < 0:
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        entry = self.current_entry()
        self.query_one("#browser-entry", Label).update(Text(entry_summary(entry) if entry else ""))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_entry()

    def action_open_entry(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        try:
            run = self.recorder.load(entry)
        except UserError as exc:
            self.say(str(exc), "error")
            return
        self.app.push_screen(RunDetailScreen(entry, run))

    def action_mark_entry(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        if entry.broken:
            self.say("a broken run cannot be compared", "error")
            return
        self.selected = toggle_selection(self.selected, entry.key)
        self._fill()
        self.say(f"{len(self.selected)} marked" + (" (c compares)" if len(self.selected) == 2 else ""))

    def action_compare_marked(self) -> None:
        marked = [e for e in self.entries if e.key in self.selected]
        if len(marked) != 2:
            self.say("mark two runs with space first", "error")
            return
        base_entry, current_entry = compare_order(marked[0], marked[1])
        try:
            base, current = self.recorder.load(base_entry), self.recorder.load(current_entry)
        except UserError as exc:
            self.say(str(exc), "error")
            return
        self.app.push_screen(CompareScreen(base, current, self.recorder))


class RunDetailScreen(_StoreScreen):
    """One saved run, read-only: header, whole-run percentile table, charts, annotations, failures."""

    ACTIONS = DETAIL_ACTIONS
    BINDINGS = bindings(DETAIL_ACTIONS)

    def __init__(self, entry: BrowserEntry, run: LoadedRun) -> None:
        super().__init__()
        self.entry, self.run = entry, run
        self.at: float | None = None
        """The time cursor (seconds into the run); None: whole-run figures."""
        self._steps: list[EndpointStep] | None = None
        """Per-endpoint figures every few seconds (read at the first cursor move; empty in older runs)."""
        self._seconds: list[EndpointSecond] | None = None
        """Older runs: per-endpoint rows by second from Locust's full stats history (empty without it)."""

    def compose(self) -> ComposeResult:
        yield Label("", id="detail-header")
        yield PercentileTable(id="detail-table")
        with ContentSwitcher(initial="detail-charts", id="detail-views"):
            yield ChartsPanel(id="detail-charts")
            yield NotesView(id="detail-notes")
            yield FailuresView(id="detail-failures")
            yield CapacityPanel(id="detail-capacity")
        yield MessageLine(id="detail-message")
        yield KeyBar(self.ACTIONS, id="detail-keys")

    def on_mount(self) -> None:
        result = self.run.result
        duration = result.ended_at - result.started_at if result.ended_at else None
        lines = detail_lines(self.entry, duration, (t.describe() for t in result.thresholds))
        lines += corrected_lines(result.final)
        self.query_one("#detail-header", Label).update(Text("\n".join(lines)))
        self.query_one(NotesView).show(annotation_lines(result.annotations))
        self.query_one(FailuresView).show(
            failure_rows(result.final.errors), exception_rows(result.final.exceptions)
        )
        self.show_at(None)
        self.query_one(CapacityPanel).show(result.capacity)
        if result.capacity is not None:  # a search's run: its answer and knee chart first
            self.action_show("capacity")

    def show_at(self, at: float | None) -> None:
        """The run at second ``at`` (table: the total's window figures then; charts: the cursor marked),
        or over the whole run (None)."""
        result, self.at = self.run.result, at
        charts = dashboard_charts(result.history, result.annotations)
        point = point_at(result.history, at) if at is not None else None
        if at is None:
            self.query_one(PercentileTable).show_rows(lazy_table_rows(result.final, use_current=False))
            self.say("read-only: figures over the whole run (, . < > n move a time cursor)")
        else:
            if self._steps is None:
                self._steps = read_steps(self.run.path)
                self._seconds = [] if self._steps else endpoint_seconds(self.run.path)
            shown = total_at(result.final, point) if point is not None else result.final
            if point is not None and self._steps:
                shown = replace(shown, endpoints=endpoints_at_step(result.final, self._steps, at))
            elif point is not None and self._seconds:
                shown = replace(
                    shown, endpoints=endpoints_at(result.final, self._seconds, result.started_at, at)
                )
            self.query_one(PercentileTable).show_rows(lazy_table_rows(shown, use_current=point is not None))
            line = cursor_line(point, at, run_end(result.history))
            self.say(line if self._steps or self._seconds else f"{line}; no endpoint rows by time saved")
            rps, latency, users, errors = (with_cursor(chart, at) for chart in charts)
            charts = (rps, latency, users, errors)
        self.query_one(ChartsPanel).show_charts(charts)

    def action_step(self, seconds: int) -> None:
        self.show_at(stepped(self.at, seconds, self.run.result.history))

    def action_annotation(self, forward: bool) -> None:
        found = next_annotation(self.at, self.run.result.annotations, forward)
        if found is None:
            self.say(f"no annotation {'after' if forward else 'before'} this point", "error")
            return
        note = next(a for a in self.run.result.annotations if a.elapsed_s == found)
        self.show_at(found)
        self.query_one(MessageLine).show(f"{note.text} — {self.query_one(MessageLine).message}")

    def action_whole_run(self) -> None:
        self.show_at(None)

    def action_show(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = f"detail-{view}"


class CompareScreen(_StoreScreen):
    """Two saved runs side by side, metric by metric, regressions marked (colour and ↑)."""

    ACTIONS = COMPARE_ACTIONS
    BINDINGS = bindings(COMPARE_ACTIONS)
    COMPONENT_CLASSES = {"compare--regressed"}
    """A regressed metric's row (app.tcss)."""

    def __init__(self, baseline: LoadedRun, current: LoadedRun, recorder: RunRecorder) -> None:
        super().__init__()
        self.comparison = compare(baseline, current, recorder.rules)

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-head"):
            yield Label(Text(f"current:  {self.comparison.current_label}"))
            yield Label(Text(f"baseline: {self.comparison.baseline_label}"))
        yield DataTable[Text](id="compare-table", cursor_type="row", zebra_stripes=False)
        yield MessageLine(id="compare-message")
        yield KeyBar(self.ACTIONS, id="compare-keys")

    def on_mount(self) -> None:
        table = self.query_one("#compare-table", DataTable)
        table.add_columns(*COMPARISON_COLUMNS)
        regressed = self.get_component_rich_style("compare--regressed", partial=True)
        for line in comparison_lines(self.comparison):
            style = regressed if line.regressed else ""
            table.add_row(*(Text(cell, style=style) for cell in line.cells))
        only = [
            f"only in {side}: {', '.join(keys)}"
            for side, keys in (
                ("baseline", self.comparison.only_in_baseline),
                ("current", self.comparison.only_in_current),
            )
            if keys
        ]
        verdict = comparison_verdict(self.comparison)
        self.say("; ".join([verdict, *only]), "error" if self.comparison.regressed else "info")
        table.focus()
