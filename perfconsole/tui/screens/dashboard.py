"""The run dashboard: builds one frame per tick (``perfconsole.tui.frame``) on a gentle timer and hands each
widget its part; the keys are its bases' (controls, rate, endpoint table, run store)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Input

from perfconsole.config import Settings
from perfconsole.errors import UserError
from perfconsole.model.run import RunSnapshot, RunState
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.tui.actions import DASHBOARD_ACTIONS, bindings
from perfconsole.tui.frame import Frame, FrameNeeds, build_frame
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.redraw import TableRedraw
from perfconsole.tui.screens.control_keys import ControlKeysScreen
from perfconsole.tui.screens.search_keys import SearchKeysScreen
from perfconsole.tui.screens.table_keys import EndpointTableScreen
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.tui.verdict_lines import VerdictLines
from perfconsole.tui.views.annotations import annotation_lines
from perfconsole.tui.views.charts import dashboard_charts
from perfconsole.tui.views.failures import exception_rows, failure_rows
from perfconsole.tui.views.saturation_banner import saturation_banner
from perfconsole.tui.views.status import view_label, worker_summary
from perfconsole.tui.views.table import (
    Breaches,
    lazy_table_rows,
    table_columns,
    table_headers,
    threshold_breaches,
)
from perfconsole.tui.views.workers import worker_rows
from perfconsole.tui.widgets.capacity_panel import CapacityPanel
from perfconsole.tui.widgets.charts import ChartsPanel
from perfconsole.tui.widgets.key_bar import KeyBar
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.percentile_table import PercentileTable
from perfconsole.tui.widgets.rate_panel import RatePanel
from perfconsole.tui.widgets.resources import ResourcesPanel, SaturationBanner
from perfconsole.tui.widgets.status_bar import StatusBar
from perfconsole.tui.widgets.tables import FailuresView, LogView, NotesView, StagesView, WorkersView

VIEWS = ("charts", "failures", "workers", "notes", "log", "resources", "stages", "capacity")
LOG_LINES = 200
CHART_EVERY = 5
"""Charts are redrawn every this many polls (and at once on a view switch or an action): they are the
bulk of the bytes a repaint writes, and a point a second gains little from a faster redraw."""


class DashboardScreen(ControlKeysScreen, SearchKeysScreen, EndpointTableScreen):
    """Status bar, message line, percentile table and a switchable lower view (charts, failures ...)."""

    ACTIONS = DASHBOARD_ACTIONS
    BINDINGS = bindings(DASHBOARD_ACTIONS)

    use_current: reactive[bool] = reactive(True)

    class PrepareFailed(Message):
        """The session could not start (bad scenario, host ...): back to the start screen."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        session: ConsoleSession,
        settings: Settings,
        *,
        refresh_s: float = 1.0,
        users_step: int = 10,
        prepared: bool = False,
        breaches_for: Callable[[Settings, str | None], Breaches] = threshold_breaches,
        recorder: RunRecorder | None = None,
        search: str | None = None,
    ) -> None:
        super().__init__()
        self.search_on_start = search
        """A capacity search (``rate``, ``users``) to start once the run is up (the start screen's choice)."""
        self.recorder = recorder
        self.session = session
        self.settings = settings
        self.refresh_s = refresh_s
        self.users_step = users_step
        self.prepared = prepared
        self._breaches_for = breaches_for
        self._breaches: tuple[str | None, Breaches] | None = None
        self.frame: Frame | None = None
        """The latest tick's frame (None before the session is prepared)."""
        self.verdict_lines = VerdictLines(settings.soak)
        self._shown_fallbacks: set[RunWarning] = set()
        self._polls = 0
        self._table_redraw, self._polling = TableRedraw(), False  # a poll's table waits for new figures

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield MessageLine(id="message")
        yield SaturationBanner(id="banner")
        yield RatePanel(id="rate")
        yield PercentileTable(id="table", cursor=True)
        yield Input(
            placeholder="/ filter endpoints: text or glob (Enter keeps, Esc clears)",
            id="filter",
            compact=True,
        )
        with ContentSwitcher(initial="charts", id="views"):
            yield ChartsPanel(id="charts")
            yield FailuresView(id="failures")
            yield WorkersView(id="workers")
            yield NotesView(id="notes")
            yield StagesView(id="stages")
            yield LogView(id="log")
            yield ResourcesPanel(id="resources")
            yield CapacityPanel(id="capacity")
        yield KeyBar(self.ACTIONS, id="keys")

    def on_mount(self) -> None:
        self.set_interval(self.refresh_s, self.poll)
        self.query_one("#filter", Input).display = False
        self.query_one(PercentileTable).focus()
        if self.prepared:
            self.refresh_view()
        else:
            self.say("starting the target and the workers ...")
            self.run_worker(self._prepare_and_start(), exclusive=True, group="prepare")

    async def _prepare_and_start(self) -> None:
        from perfconsole.tui.greenlets import run_blocking

        loop = asyncio.get_running_loop()

        def on_status(line: str) -> None:  # e.g. how to start external workers, while the engine waits
            loop.call_soon_threadsafe(self.say, line)

        self.session.status_listeners.append(on_status)
        try:
            await run_blocking(self.session.prepare)
            self.session.start()
        except UserError as exc:
            self.post_message(self.PrepareFailed(str(exc)))
            return
        self.prepared = True
        self.say("run started")
        if self.search_on_start is not None:
            self.action_search(self.search_on_start)
        self.refresh_view()

    # ------------------------------------------------------------------ rendering
    @property
    def snapshot(self) -> RunSnapshot | None:
        return self.frame.snapshot if self.frame is not None else None

    def live_session(self) -> ConsoleSession | None:
        return self.session if self.prepared else None

    def live_snapshot(self) -> RunSnapshot | None:
        return self.snapshot

    def _breaches_now(self, profile: str | None) -> Breaches:
        if self._breaches is None or self._breaches[0] != profile:
            self._breaches = (profile, self._breaches_for(self.settings, profile))
        return self._breaches[1]

    def poll(self) -> None:
        """The timer's tick: figures every time, charts every ``CHART_EVERY`` ticks."""
        self._polls += 1
        self._polling = True
        self.refresh_view(charts=self._polls % CHART_EVERY == 0)
        self._polling = False

    def refresh_view(self, charts: bool = True) -> None:
        """Build this tick's frame (the session read once) and hand each widget its part."""
        if not self.prepared:
            return
        view = self.query_one(ContentSwitcher).current
        needs = FrameNeeds(
            stages=view == "stages" or self.endpoint_open,
            log_lines=LOG_LINES if view == "log" else 0,
            samples=view == "resources" and charts,
            noise_window=self.use_current if self.recorder is not None and self.recorder.baseline else None,
        )
        frame = build_frame(self.session, self.settings, needs)
        self.frame = frame
        self.endpoint_history.record(frame.snapshot)
        if self.frozen is None:
            self._draw(frame, view, charts)
        for warning in frame.warnings:  # e.g. a plain `locust --worker`: figures approximated
            if warning.kind is WarningKind.HDR_FALLBACK and warning not in self._shown_fallbacks:
                self._shown_fallbacks.add(warning)
                self.say(warning.text, "warning")
        for line in self.verdict_lines.poll(frame):
            self.say(line, "verdict")

    def _draw(self, frame: Frame, view: str | None, charts: bool) -> None:
        """Hand each widget its part of ``frame`` (only the visible lower view)."""
        snapshot = frame.snapshot
        status = self.query_one(StatusBar)
        status.extra = self.show_rate(snapshot, frame.history)
        status.snapshot = snapshot
        status.use_current = self.use_current
        status.paused = frame.paused
        status.validity = frame.validity
        if self._table_redraw.due(snapshot, forced=not self._polling):
            self.show_table()
        if view == "charts" and charts:
            self.query_one(ChartsPanel).show_charts(dashboard_charts(frame.history, frame.annotations))
        elif view == "failures":
            self.query_one(FailuresView).show(
                failure_rows(snapshot.errors), exception_rows(snapshot.exceptions)
            )
        elif view == "workers":
            self.query_one(WorkersView).show(worker_rows(snapshot.workers), worker_summary(snapshot))
        elif view == "notes":
            self.query_one(NotesView).show(annotation_lines(frame.annotations))
        elif view == "stages":
            self.query_one(StagesView).show(frame.stages)
        elif view == "log":
            self.query_one(LogView).show(list(frame.log))
        self.show_search(frame, view)
        self.query_one(SaturationBanner).banner = saturation_banner(frame.resources)
        if view == "resources":
            self.query_one(ResourcesPanel).show(frame.resources, charts=charts)

    def show_table(self) -> None:
        """The endpoint table from the shown snapshot (frozen or latest), as the table choice arranges it."""
        snapshot = self.shown()
        if snapshot is None:
            return
        breaches = self._breaches_now(snapshot.profile)
        marks = self.baseline_marks(snapshot, self.use_current, self.frame.noise if self.frame else None)
        rows = lazy_table_rows(snapshot, self.use_current, breaches, marks, self.table_choice)
        columns = table_headers(
            table_columns(marks is not None), self.table_choice, len(rows) - 1, len(snapshot.endpoints)
        )
        self.query_one(PercentileTable).show_rows(rows, columns)

    def watch_use_current(self) -> None:
        self.query_one(StatusBar).use_current = self.use_current
        self.show_table()
        self.refresh_view()

    def action_toggle_view(self) -> None:
        self.use_current = not self.use_current
        window_s = self.snapshot.window_s if self.snapshot is not None else 10
        self.say(f"table shows the {view_label(self.use_current, window_s)}")

    def action_resources(self) -> None:
        """Show the resources panel; pressed again while it is shown, cycle its layout."""
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == "resources":
            self.say(f"resources: {self.query_one(ResourcesPanel).cycle_mode()}")
            self.refresh_view()
        else:
            self.action_show("resources")

    def action_show(self, view: str) -> None:
        if view in VIEWS:
            self.query_one(ContentSwitcher).current = view
            self.refresh_view()

    @property
    def run_active(self) -> bool:
        """True while users may be running (quitting asks first)."""
        snapshot = self.snapshot
        if not self.prepared:
            return True
        return snapshot is not None and (snapshot.state.is_active or snapshot.state == RunState.PREPARING)
