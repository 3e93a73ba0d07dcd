"""The run dashboard: polls the session on a gentle timer, renders pure-function output, runs the keys."""

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
from perfconsole.tui.controls import (
    double_users,
    halve_users,
    overdrive_limit,
    overdrive_reason,
    step_users,
)
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.redraw import TableRedraw
from perfconsole.tui.screens.modals import NoteModal, ProfileModal, YesNoModal
from perfconsole.tui.screens.rate_keys import RateKeysScreen
from perfconsole.tui.screens.shape_guard import guard_shape
from perfconsole.tui.screens.table_keys import EndpointTableScreen
from perfconsole.tui.screens.users_dialog import UsersModal
from perfconsole.tui.session_api import ConsoleSession
from perfconsole.tui.shown import shown_snapshot
from perfconsole.tui.verdict_lines import VerdictLines
from perfconsole.tui.views.annotations import annotation_lines
from perfconsole.tui.views.charts import dashboard_charts
from perfconsole.tui.views.failures import exception_rows, failure_rows
from perfconsole.tui.views.resource_state import state_from_session
from perfconsole.tui.views.saturation_banner import saturation_banner
from perfconsole.tui.views.status import view_label, worker_summary
from perfconsole.tui.views.table import (
    Breaches,
    table_columns,
    table_headers,
    table_rows,
    threshold_breaches,
)
from perfconsole.tui.views.validity import live_validity
from perfconsole.tui.views.workers import worker_rows
from perfconsole.tui.widgets.charts import ChartsPanel
from perfconsole.tui.widgets.key_bar import KeyBar
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.percentile_table import PercentileTable
from perfconsole.tui.widgets.rate_panel import RatePanel
from perfconsole.tui.widgets.resources import ResourcesPanel, SaturationBanner
from perfconsole.tui.widgets.status_bar import StatusBar
from perfconsole.tui.widgets.tables import FailuresView, LogView, NotesView, StagesView, WorkersView

VIEWS = ("charts", "failures", "workers", "notes", "log", "resources", "stages")
LOG_LINES = 200
CHART_EVERY = 3
"""Charts are redrawn every this many polls (and at once on a view switch or an action): they are the
bulk of the bytes a repaint writes, and a point a second gains little from a faster redraw."""


class DashboardScreen(RateKeysScreen, EndpointTableScreen):
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
    ) -> None:
        super().__init__()
        self.recorder = recorder
        self.session = session
        self.settings = settings
        self.refresh_s = refresh_s
        self.users_step = users_step
        self.prepared = prepared
        self._breaches_for = breaches_for
        self._breaches: tuple[str | None, Breaches] | None = None
        self._last_snapshot: RunSnapshot | None = None
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
        self.refresh_view()

    # ------------------------------------------------------------------ rendering
    @property
    def snapshot(self) -> RunSnapshot | None:
        return self._last_snapshot

    def say(self, message: str, kind: str = "info") -> None:
        self.query_one(MessageLine).show(message, kind)

    def live_session(self) -> ConsoleSession | None:
        return self.session if self.prepared else None

    def live_snapshot(self) -> RunSnapshot | None:
        return self._last_snapshot

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
        """Poll the session once and hand each widget its data (only the visible lower view)."""
        if not self.prepared:
            return
        snapshot = shown_snapshot(self.session.snapshot())  # secrets masked as in saved files
        self._last_snapshot = snapshot
        self.endpoint_history.record(snapshot)
        if self.frozen is None:
            self._draw(snapshot, charts)
        for warning in self.session.warnings:  # e.g. a plain `locust --worker`: figures approximated
            if warning.kind is WarningKind.HDR_FALLBACK and warning not in self._shown_fallbacks:
                self._shown_fallbacks.add(warning)
                self.say(warning.text, "warning")
        for line in self.verdict_lines.poll(self.session, snapshot.elapsed_s, snapshot.state.is_active):
            self.say(line, "verdict")

    def _draw(self, snapshot: RunSnapshot, charts: bool) -> None:
        """Hand each widget its part of ``snapshot`` (only the visible lower view)."""
        status = self.query_one(StatusBar)
        status.extra = self.show_rate(snapshot, self.session.history)
        status.snapshot = snapshot
        status.use_current = self.use_current
        status.paused = self.session.paused
        status.validity = live_validity(self.session, snapshot, self.settings)
        if self._table_redraw.due(snapshot, forced=not self._polling):
            self.show_table()
        view = self.query_one(ContentSwitcher).current
        if view == "charts" and charts:
            charts_data = dashboard_charts(self.session.history, self.session.annotations)
            self.query_one(ChartsPanel).show_charts(charts_data)
        elif view == "failures":
            self.query_one(FailuresView).show(
                failure_rows(snapshot.errors), exception_rows(snapshot.exceptions)
            )
        elif view == "workers":
            workers = worker_rows(snapshot.workers)
            self.query_one(WorkersView).show(workers, worker_summary(snapshot))
        elif view == "notes":
            self.query_one(NotesView).show(annotation_lines(self.session.annotations))
        elif view == "stages":
            self.query_one(StagesView).show(self.session.stages())
        elif view == "log":
            self.query_one(LogView).show(self.session.output_tail(LOG_LINES))
        resources = state_from_session(self.session, with_samples=view == "resources" and charts)
        self.query_one(SaturationBanner).banner = saturation_banner(resources)
        if view == "resources":
            self.query_one(ResourcesPanel).show(resources, charts=charts)

    def show_table(self) -> None:
        """The endpoint table from the shown snapshot (frozen or latest), as the table choice arranges it."""
        snapshot = self.shown()
        if snapshot is None:
            return
        breaches = self._breaches_now(snapshot.profile)
        marks = self.baseline_marks(snapshot, self.use_current)
        rows = table_rows(snapshot, self.use_current, breaches, marks, self.table_choice)
        columns = table_headers(
            table_columns(marks is not None), self.table_choice, len(rows) - 1, len(snapshot.endpoints)
        )
        self.query_one(PercentileTable).show_rows(rows, columns)

    def watch_use_current(self) -> None:
        self.query_one(StatusBar).use_current = self.use_current
        self.show_table()
        self.refresh_view()

    # ------------------------------------------------------------------ control
    def _control(self, done: str, call: Callable[[], object]) -> bool:
        """Run a non-blocking session call; a refusal is shown in the message line, the run goes on."""
        if not self.prepared:
            self.say("still starting: wait for the workers", "error")
            return False
        try:
            call()
        except UserError as exc:
            self.say(f"refused: {exc}", "error")
            return False
        self.say(done)
        self.refresh_view()
        return True

    def _target(self) -> int:
        snapshot = self._last_snapshot
        return snapshot.target_user_count if snapshot else 0

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        rate = "" if spawn_rate is None else f" at {spawn_rate:g}/s"
        self._control(f"users -> {users}{rate}", lambda: self.session.set_users(users, spawn_rate))

    def _guarded(self, key: str, proceed: Callable[[], object]) -> None:
        """Under a shape, ask before a control leaves (or interrupts) it."""
        guard_shape(self, self.live_session(), key, proceed)

    def action_users_up(self) -> None:
        self._guarded("+", lambda: self.set_users(step_users(self._target(), self.users_step, 1)))

    def action_users_down(self) -> None:
        self._guarded("-", lambda: self.set_users(step_users(self._target(), self.users_step, -1)))

    def action_users_double(self) -> None:
        self._guarded("*", lambda: self.set_users(double_users(self._target())))

    def action_users_halve(self) -> None:
        self._guarded("h", lambda: self.set_users(halve_users(self._target())))

    def action_set_users(self) -> None:
        self._guarded("u", self._ask_users)

    def _profile_peak(self) -> int | None:
        """The peak users of the profile the run follows (None under a locustfile's shape or none)."""
        snapshot = self._last_snapshot
        profile = self.settings.profiles.get(snapshot.profile) if snapshot and snapshot.profile else None
        return profile.users if profile is not None else None

    def _ask_users(self) -> None:
        snapshot = self._last_snapshot
        users = snapshot.target_user_count if snapshot else 0
        rate = snapshot.spawn_rate if snapshot else 1.0
        peak = self._profile_peak()
        hint = f"above {overdrive_limit(users, peak)} users asks first"

        def confirmed(values: tuple[int, float | None], yes: bool | None) -> None:
            if yes:
                self.set_users(*values)
            else:
                self.say(f"not applied: users stay at {self._target()}")

        def applied(answer: tuple[int, float | None] | None) -> None:
            if answer is None:
                return
            reason = overdrive_reason(answer[0], users, peak)
            if reason is None:
                self.set_users(*answer)
                return
            rate_text = "" if answer[1] is None else f" at {answer[1]:g}/s"
            self.app.push_screen(
                YesNoModal(f"{answer[0]} users{rate_text} is {reason}. Apply?"),
                lambda yes: confirmed(answer, yes),
            )

        self.app.push_screen(UsersModal(users, rate, hint), applied)

    def action_switch_profile(self) -> None:
        self._guarded("p", self._ask_profile)

    def _ask_profile(self) -> None:
        if not self.settings.profiles:
            self.say("no profiles in config.toml", "error")
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                profile = self.settings.profiles[name]
                self._control(f"profile -> {name}", lambda: self.session.apply_profile(profile))

        current = self._last_snapshot.profile if self._last_snapshot else None
        self.app.push_screen(ProfileModal(self.settings.profiles, current), chosen)

    def action_pause_resume(self) -> None:
        if self.session.paused:
            self._control("resumed", self.session.resume)
        else:
            self._guarded("space", self._pause)

    def _pause(self) -> None:
        self._control("paused: 0 users (space resumes)", self.session.pause)

    def action_spike(self) -> None:
        self._guarded("x", self._spike)

    def _spike(self) -> None:
        drill = self.settings.spike
        self._control(
            f"spike: {drill.users} users at {drill.spawn_rate:g}/s for {drill.duration_s:g}s, then back",
            self.session.fire_spike,
        )

    def action_note(self) -> None:
        elapsed = self._last_snapshot.elapsed_s if self._last_snapshot else 0.0

        def noted(text: str | None) -> None:
            if text is not None:
                self._control(f"noted: {text}", lambda: self.session.annotate(text))

        self.app.push_screen(NoteModal(elapsed), noted)

    def action_stop(self) -> None:
        self._control("stopped (g starts again, q quits)", self.session.stop)

    def action_start_again(self) -> None:
        snapshot = self._last_snapshot
        if snapshot is not None and snapshot.state.is_active:
            self.say("refused: the run is still going (s stops it first)", "error")
            return
        self._control("started again", self.session.start)

    def action_toggle_view(self) -> None:
        self.use_current = not self.use_current
        window_s = self._last_snapshot.window_s if self._last_snapshot is not None else 10
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
        snapshot = self._last_snapshot
        if not self.prepared:
            return True
        return snapshot is not None and (snapshot.state.is_active or snapshot.state == RunState.PREPARING)
