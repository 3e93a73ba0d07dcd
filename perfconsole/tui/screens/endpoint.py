"""One endpoint in focus (Enter on a table row): ladder, charts, failures and stages, refreshed live."""

from __future__ import annotations

from typing import Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Label

from perfconsole.model.run import RunSnapshot
from perfconsole.tui.actions import ENDPOINT_ACTIONS, bindings
from perfconsole.tui.frame import Frame
from perfconsole.tui.screens.keyed import KeyedScreen
from perfconsole.tui.text_layout import fit_text
from perfconsole.tui.views.endpoint_detail import (
    STAGE_HEADERS,
    endpoint_charts,
    endpoint_failures,
    find_endpoint,
    ladder_headers,
    ladder_rows,
    stage_rows,
    summary_line,
)
from perfconsole.tui.views.endpoint_history import EndpointHistory
from perfconsole.tui.widgets.charts import RunChart
from perfconsole.tui.widgets.key_bar import KeyBar
from perfconsole.tui.widgets.tables import RowsTable


class EndpointSource(Protocol):
    """What the detail reads from the dashboard under it, which builds a frame each tick (with the figures
    per stage while the detail is open) and records each endpoint's series."""

    refresh_s: float
    endpoint_history: EndpointHistory
    frame: Frame | None

    def baseline_snapshot(self) -> RunSnapshot | None: ...


class EndpointScreen(KeyedScreen):
    """The endpoint ``key`` (``Aggregated``: the total) as the dashboard's last frame shows it."""

    ACTIONS = ENDPOINT_ACTIONS
    BINDINGS = bindings(ENDPOINT_ACTIONS)

    def __init__(self, source: EndpointSource, key: str) -> None:
        super().__init__()
        self.source, self.key = source, key
        self.with_baseline = source.baseline_snapshot() is not None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="endpoint-body"):
            yield Label("", id="endpoint-title", classes="view-title", markup=False)
            yield Label("", id="endpoint-summary", markup=False)
            yield RowsTable(ladder_headers(self.with_baseline), id="endpoint-ladder")
            with Grid(id="endpoint-charts"):
                yield RunChart(id="endpoint-rps")
                yield RunChart(id="endpoint-latency")
            yield Label("Failures of this endpoint", id="endpoint-failures-title", classes="view-title")
            yield RowsTable(("count", "error"), id="endpoint-failures")
            yield Label("Per stage (from its per-second window figures)", classes="view-title")
            yield RowsTable(STAGE_HEADERS, id="endpoint-stages")
        yield KeyBar(self.ACTIONS, id="endpoint-keys")

    def on_mount(self) -> None:
        self.set_interval(self.source.refresh_s, self.show)
        self.query_one("#endpoint-body").focus()
        self.show()

    def show(self) -> None:
        frame = self.source.frame
        snapshot = frame.snapshot if frame is not None else None
        endpoint = find_endpoint(snapshot, self.key) if snapshot is not None else None
        title = "Total" if self.key == "Aggregated" else self.key
        width = max(20, self.size.width - 2)
        self.query_one("#endpoint-title", Label).update(fit_text(f"{title}  (Esc: back)", width))
        if frame is None or snapshot is None or endpoint is None:
            self.query_one("#endpoint-summary", Label).update("no figures for this endpoint (yet)")
            return
        self.query_one("#endpoint-summary", Label).update(Text(fit_text(summary_line(endpoint), width)))
        baseline_run = self.source.baseline_snapshot()
        baseline = find_endpoint(baseline_run, self.key) if baseline_run is not None else None
        rows = ladder_rows(endpoint, baseline)
        if self.with_baseline and baseline is None:
            rows = [(*row, "new", "-") for row in rows]
        elif not self.with_baseline:
            rows = [row[:4] for row in rows]
        self.query_one("#endpoint-ladder", RowsTable).show_rows(rows)
        series = self.source.endpoint_history.series(self.key)
        rps, latency = endpoint_charts(series, frame.annotations)
        self.query_one("#endpoint-rps", RunChart).data = rps
        self.query_one("#endpoint-latency", RunChart).data = latency
        exceptions = sum(x.count for x in snapshot.exceptions)
        self.query_one("#endpoint-failures-title", Label).update(
            f"Failures of this endpoint (exceptions are per run: {exceptions}, f on the dashboard)"
            if exceptions
            else "Failures of this endpoint"
        )
        failures = endpoint_failures(snapshot.errors, endpoint)
        self.query_one("#endpoint-failures", RowsTable).show_rows(failures or [("0", "no failures")])
        stages = stage_rows(frame.stages, series)
        self.query_one("#endpoint-stages", RowsTable).show_rows(stages or [("no stages yet", "", "", "", "")])

    def action_close(self) -> None:
        self.dismiss(None)
