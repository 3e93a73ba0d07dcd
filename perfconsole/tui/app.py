"""The console app and ``make_app``, the one factory shared by the CLI and the tests."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.filter import LineFilter
from textual.screen import Screen

from perfconsole.config import Settings
from perfconsole.engine.scenario import (
    ScenarioInfo,
    default_scenarios_dir,
    describe_scenario,
    discover_scenarios,
)
from perfconsole.errors import UserError
from perfconsole.tui.actions import palette_actions
from perfconsole.tui.recorder import RunRecorder, Saver
from perfconsole.tui.run_events import RunStarted, RunStopped, StageChanged, post_run_events
from perfconsole.tui.run_saving import RunSaving
from perfconsole.tui.screens.dashboard import DashboardScreen
from perfconsole.tui.screens.keyed import KeyedScreen
from perfconsole.tui.screens.modals import ConfirmQuitModal
from perfconsole.tui.screens.start import StartScreen
from perfconsole.tui.session_api import (
    ConsoleSession,
    SessionFactory,
    engine_session_factory,
)
from perfconsole.tui.terminal_filter import TerminalTextFilter


class PerfConsoleApp(App[int]):
    """Start screen -> dashboard; owns the session and closes it (no process left) on every way out."""

    CSS_PATH = "app.tcss"
    TITLE = "perfconsole"

    def __init__(
        self,
        settings: Settings,
        scenarios: list[ScenarioInfo],
        session_factory: SessionFactory,
        *,
        refresh_s: float = 1.0,
        users_step: int = 10,
        scenario: str | None = None,
        profile: str | None = None,
        host: str | None = None,
        workers: int | None = None,
        session: ConsoleSession | None = None,
        recorder: RunRecorder | None = None,
        launch_options: argparse.Namespace | None = None,
    ) -> None:
        super().__init__()
        self.launch_options = launch_options
        """The command line's options (the start screen's target fields start from them)."""
        self.recorder = recorder or RunRecorder(settings)
        """Saves runs and baselines; holds the baseline chosen for live comparison."""
        self.settings = settings
        self.scenarios = scenarios
        self.session_factory = session_factory
        self.refresh_s = refresh_s
        self.users_step = users_step
        self.initial_scenario, self.initial_profile = scenario, profile
        self.initial_host, self.initial_workers = host, workers
        self.session: ConsoleSession | None = session
        self._preset_session = session is not None
        self._terminal_filter = TerminalTextFilter()
        self.saving = RunSaving(self.recorder, self.say)
        """The one place a run's final save starts: its stop, or the way out."""
        self._detach_events: Callable[[], None] | None = None

    def get_line_filters(self) -> list[LineFilter]:
        """Textual's filters, then the guard that keeps control characters off the terminal."""
        return [*super().get_line_filters(), self._terminal_filter]

    def on_mount(self) -> None:
        self.push_screen(self._start_screen())
        if self.session is not None:
            self._follow(self.session)
            self.push_screen(self._dashboard(self.session, prepared=True))

    @property
    def dashboard(self) -> DashboardScreen | None:
        """The run's dashboard, if it is open (under any modal)."""
        return next((s for s in self.screen_stack if isinstance(s, DashboardScreen)), None)

    def say(self, message: str, kind: str = "info") -> None:
        """A line on the dashboard's message line (nothing before the dashboard opens)."""
        dashboard = self.dashboard
        if dashboard is not None:
            dashboard.say(message, kind)

    def _start_screen(self, error: str = "") -> StartScreen:
        return StartScreen(
            self.scenarios,
            self.settings,
            scenario=self.initial_scenario,
            profile=self.initial_profile,
            host=self.initial_host,
            workers=self.initial_workers,
            error=error,
            recorder=self.recorder,
            launch_options=self.launch_options,
        )

    def _dashboard(
        self, session: ConsoleSession, prepared: bool = False, search: str | None = None
    ) -> DashboardScreen:
        return DashboardScreen(
            session,
            self.settings,
            refresh_s=self.refresh_s,
            users_step=self.users_step,
            prepared=prepared,
            recorder=self.recorder,
            search=search,
        )

    # ------------------------------------------------------------------ run lifecycle
    def on_start_screen_launch(self, message: StartScreen.Launch) -> None:
        try:
            session = self.session_factory(message.choice)
        except UserError as exc:
            if isinstance(self.screen, StartScreen):
                self.screen.show_error(str(exc))
            return
        self.session = session
        self.recorder.run_name = message.choice.run_name
        self._follow(session)
        self.push_screen(self._dashboard(session, search=message.choice.search))

    def _follow(self, session: ConsoleSession) -> None:
        """Hear the session's lifecycle events (as messages on this app's loop)."""
        self._detach_events = post_run_events(session, self)

    def on_run_started(self, message: RunStarted) -> None:
        self.saving.started()

    def on_run_stopped(self, message: RunStopped) -> None:
        if self.session is not None:
            self.run_worker(self.saving.stopped(self.session), group="save")

    def on_stage_changed(self, message: StageChanged) -> None:
        dashboard = self.dashboard
        if dashboard is not None:
            dashboard.refresh_view(charts=False)  # the stages view gains its row at once

    async def on_dashboard_screen_prepare_failed(self, message: DashboardScreen.PrepareFailed) -> None:
        await self._close_session()
        self.pop_screen()
        if isinstance(self.screen, StartScreen):
            self.screen.show_error(message.error)

    async def _close_session(self) -> None:
        session, self.session = self.session, None
        if self._detach_events is not None:
            self._detach_events()
            self._detach_events = None
        if session is not None:
            from perfconsole.tui.greenlets import run_blocking

            await run_blocking(session.close)

    def save_on_exit(self, interrupted: bool | None = None) -> Path | None:
        """Save a run that has no final save yet (quit, SIGTERM, SIGHUP): see ``RunSaving.on_exit``."""
        return self.saving.on_exit(self.session, interrupted)

    @property
    def save_error(self) -> str | None:
        """Why the save on the way out failed (the CLI prints it after the screen is gone)."""
        return self.saving.save_error

    async def shutdown(self) -> None:
        """Save an unsaved run (interrupted if it was going), stop the run and its processes, leave."""
        saved = self.save_on_exit()
        if isinstance(self.screen, DashboardScreen):
            if saved is not None:
                self.say(f"run saved: {saved.name}; stopping users and workers ...")
            else:
                self.say("stopping users and workers ...")
        await self._close_session()
        self.exit(0)

    async def action_quit_console(self) -> None:
        """Quit; during a run ask first."""
        dashboard = self.dashboard
        if dashboard is None or not dashboard.run_active:
            await self.shutdown()
            return

        async def answered(stop: bool | None) -> None:
            if stop:
                await self.shutdown()

        self.push_screen(ConfirmQuitModal(), answered)

    async def action_quit(self) -> None:
        await self.action_quit_console()

    # ------------------------------------------------------------------ command palette
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands, then the screen's own actions (the same list as its keys)."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, KeyedScreen):
            for spec in palette_actions(screen.ACTIONS):
                yield SystemCommand(
                    spec.description, f"key: {spec.display_key}", partial(screen.run_action, spec.action)
                )


def make_app(
    settings: Settings,
    *,
    scenarios: list[ScenarioInfo] | None = None,
    scenarios_dir: Path | None = None,
    locustfile: Path | None = None,
    session_factory: SessionFactory | None = None,
    refresh_s: float = 1.0,
    users_step: int = 10,
    scenario: str | None = None,
    profile: str | None = None,
    host: str | None = None,
    workers: int | None = None,
    session: ConsoleSession | None = None,
    saver: Saver | None = None,
    launch_options: argparse.Namespace | None = None,
    baseline: str | None = None,
) -> PerfConsoleApp:
    """Build the console. ``locustfile`` (``-f``) is listed first and preselected; ``session`` opens the
    dashboard directly on an already prepared session (tests); ``launch_options`` are the command
    line's parsed options, under the start screen's fields in every run planned; ``baseline`` (a baseline
    name or run reference) is preselected for the live comparison, and a missing or broken one is a
    UserError before the screen opens."""
    if refresh_s <= 0:
        raise UserError(f"refresh: expected a number of seconds above 0, got {refresh_s:g}")
    if scenarios is None:
        scenarios = discover_scenarios(scenarios_dir or default_scenarios_dir())
    if locustfile is not None:
        extra = describe_scenario(locustfile)
        scenarios = [extra, *(s for s in scenarios if s.path.resolve() != extra.path.resolve())]
        scenario = extra.name
    elif scenario is not None and all(s.name != scenario for s in scenarios):
        known = ", ".join(s.name for s in scenarios) or "none"
        raise UserError(f"unknown scenario {scenario!r} (known: {known})")  # as headless runs refuse it
    if profile is not None:
        settings.profile(profile)  # unknown profile: one clear error before the screen opens
    recorder = RunRecorder(settings, saver)
    if baseline is not None:
        recorder.preselect_baseline(baseline)
    return PerfConsoleApp(
        settings,
        scenarios,
        session_factory or engine_session_factory(settings, launch_options),
        refresh_s=refresh_s,
        users_step=users_step,
        scenario=scenario,
        profile=profile,
        host=host,
        workers=workers,
        session=session,
        recorder=recorder,
        launch_options=launch_options,
    )
