"""The start screen: scenario (user classes, tags), profile with a preview of its stages, host, workers."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from perfconsole.config import Settings
from perfconsole.engine.scenario import ScenarioInfo
from perfconsole.errors import UserError
from perfconsole.profiles import peak_rate, rate_over_time, users_over_time
from perfconsole.tui.actions import START_ACTIONS, bindings
from perfconsole.tui.launch import parse_host, parse_tags, parse_workers, preset_tags, preset_users_note
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.screens.store_keys import StoreKeysScreen
from perfconsole.tui.session_api import LaunchChoice
from perfconsole.tui.shape_choices import (
    preview_line,
    profile_choices,
    search_line,
    search_of,
    shape_choice,
    shape_of,
)
from perfconsole.tui.shown import masked_host, unmasked_host
from perfconsole.tui.start_fields import target_field_rows
from perfconsole.tui.target_fields import parse_metrics_url, parse_run_name, parse_target_process
from perfconsole.tui.views.start import (
    profile_line,
    profile_preview,
    rate_preview,
    scenario_lines,
    user_class_label,
)
from perfconsole.tui.widgets.charts import RunChart
from perfconsole.tui.widgets.key_bar import KeyBar
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.user_mix import check_classes


class StartScreen(StoreKeysScreen):
    """Pick what to run; Enter starts it (the app builds the session from the posted choice)."""

    ACTIONS = START_ACTIONS
    BINDINGS = bindings(START_ACTIONS)

    class Launch(Message):
        def __init__(self, choice: LaunchChoice) -> None:
            super().__init__()
            self.choice = choice

    def __init__(
        self,
        scenarios: list[ScenarioInfo],
        settings: Settings,
        *,
        scenario: str | None = None,
        profile: str | None = None,
        host: str | None = None,
        workers: int | None = None,
        error: str = "",
        recorder: RunRecorder | None = None,
        launch_options: argparse.Namespace | None = None,
    ) -> None:
        super().__init__()
        self.launch_options = launch_options
        """The command line's options: the target fields start from them."""
        self.recorder = recorder
        self.scenarios = scenarios
        self.settings = settings
        self.initial_scenario = scenario or settings.default_scenario
        self.initial_profile = profile or settings.default_profile
        self._shape_first = profile is None
        """No profile asked for: the first scenario's own shape is preselected (Locust runs it)."""
        self.initial_host = host if host is not None else (settings.host or "")
        self.initial_workers = workers if workers is not None else settings.workers
        self.initial_error = error

    def compose(self) -> ComposeResult:
        with Horizontal(id="start-body"):
            with Vertical(id="start-left"):
                yield Label("Scenario", classes="view-title")
                yield OptionList(
                    *(Option(Text(s.name), id=str(i)) for i, s in enumerate(self.scenarios)),
                    id="scenarios",
                )
                yield Static("", id="scenario-info")
                yield Label("User classes (space toggles)", classes="view-title")
                yield SelectionList[str](id="user-classes", compact=True)
                with Horizontal(classes="field"):
                    yield Label("baseline", classes="field-label")
                    yield Static(self._baseline_text(), id="baseline-choice")
                yield from target_field_rows(self.launch_options)
            with Vertical(id="start-right"):
                yield Label("Profile", classes="view-title")
                yield OptionList(
                    *(Option(Text(name), id=name) for name in self.settings.profiles),
                    id="profiles",
                )
                yield Static("", id="profile-info")
                yield RunChart(id="profile-preview")
                with Horizontal(classes="field"):
                    yield Label("host", classes="field-label")
                    yield Input(
                        masked_host(self.initial_host),
                        placeholder="empty: demo target",
                        id="host",
                        compact=True,
                    )
                with Horizontal(classes="field"):
                    yield Label("workers", classes="field-label")
                    workers = "" if self.initial_workers is None else str(self.initial_workers)
                    yield Input(workers, placeholder="empty: one per CPU core", id="workers", compact=True)
                tags, exclude = preset_tags(self.launch_options)
                with Horizontal(classes="field"):
                    yield Label("tags", classes="field-label")
                    yield Input(tags, placeholder="include: e.g. read", id="tags", compact=True)
                with Horizontal(classes="field"):
                    yield Label("exclude", classes="field-label")
                    yield Input(exclude, placeholder="exclude: e.g. write", id="exclude-tags", compact=True)
        yield MessageLine(id="start-message")
        yield KeyBar(self.ACTIONS, id="start-keys")

    def on_mount(self) -> None:
        scenarios = self.query_one("#scenarios", OptionList)
        names = [s.name for s in self.scenarios]
        scenarios.highlighted = names.index(self.initial_scenario) if self.initial_scenario in names else 0
        profiles = self.query_one("#profiles", OptionList)
        profile_names = list(self.settings.profiles)
        if profile_names:
            profiles.highlighted = (
                profile_names.index(self.initial_profile) if self.initial_profile in profile_names else 0
            )
        if not self.scenarios:
            self.show_error("no scenarios found: put locustfiles in scenarios/ or pass -f PATH")
        elif self.initial_error:
            self.show_error(self.initial_error)
        scenarios.focus()

    def show_error(self, message: str) -> None:
        self.say(message, "error")

    def _baseline_text(self) -> Text:
        label = self.recorder.baseline_label if self.recorder else None
        if label is None:
            return Text("none (b picks one)", style="dim")
        return Text(f"{label} (b changes)")

    def baseline_changed(self) -> None:
        self.query_one("#baseline-choice", Static).update(self._baseline_text())
        super().baseline_changed()

    # ------------------------------------------------------------------ selection details
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "scenarios" and event.option.id is not None:
            self._show_scenario(self.scenarios[int(event.option.id)])
        elif event.option_list.id == "profiles" and event.option.id is not None:
            shape, search = shape_of(event.option.id), search_of(event.option.id)
            if shape is not None:
                self._show_shape(shape)
            elif search is not None:
                self.query_one("#profile-info", Static).update(
                    Text(search_line(search, self.settings.search))
                )
                self.query_one("#profile-preview", RunChart).data = None
            else:
                self._show_profile(event.option.id)

    def _show_scenario(self, info: ScenarioInfo) -> None:
        self.query_one("#scenario-info", Static).update(Text("\n".join(scenario_lines(info))))
        classes = self.query_one("#user-classes", SelectionList)
        classes.clear_options()
        classes.add_options([(user_class_label(u), u.name, True) for u in info.user_classes])
        self._list_profiles(info)

    def _list_profiles(self, info: ScenarioInfo) -> None:
        """config.toml's profiles and this scenario's own shapes (``shape: NAME``)."""
        profiles = self.query_one("#profiles", OptionList)
        names = profile_choices(self.settings.profiles, info)
        current = self._profile_choice()
        if self._shape_first and info.shape_classes:
            current = shape_choice(info.shape_classes[0])
        self._shape_first = False
        if [profiles.get_option_at_index(i).id for i in range(profiles.option_count)] == names:
            return
        profiles.clear_options()
        profiles.add_options([Option(Text(name), id=name) for name in names])
        if names:
            profiles.highlighted = names.index(current) if current in names else 0

    def _profile_choice(self) -> str | None:
        profiles = self.query_one("#profiles", OptionList)
        index = profiles.highlighted
        return profiles.get_option_at_index(index).id if index is not None and profiles.option_count else None

    def _show_shape(self, name: str) -> None:
        index = self.query_one("#scenarios", OptionList).highlighted or 0
        path = self.scenarios[index].path
        self.query_one("#profile-info", Static).update(Text(f"{name}: computing users over time ..."))
        self.run_worker(self._preview_shape(path, name), exclusive=True, group="shape-preview")

    async def _preview_shape(self, path: Path, name: str) -> None:
        from perfconsole.engine.shape_preview import compute_preview
        from perfconsole.tui.greenlets import run_blocking

        answer = await run_blocking(compute_preview, path, name)
        if self._profile_choice() != shape_choice(name):
            return  # the operator moved on
        self.query_one("#profile-info", Static).update(Text(preview_line(name, answer)))
        points = [(float(t), int(u)) for t, u in answer.get("points") or []]
        self.query_one("#profile-preview", RunChart).data = profile_preview(
            points, max((u for _, u in points), default=0)
        )

    def _show_profile(self, name: str) -> None:
        profile = self.settings.profiles[name]
        line = profile_line(profile) + preset_users_note(self.launch_options)
        self.query_one("#profile-info", Static).update(Text(line))
        chart = self.query_one("#profile-preview", RunChart)
        if profile.arrival is not None:  # a rate profile plans iterations/s, not users
            chart.data = rate_preview(rate_over_time(profile, points=60), peak_rate(profile.arrival))
            return
        chart.data = profile_preview(
            users_over_time(profile, points=60), max((s.users for s in profile.stages), default=profile.users)
        )

    # ------------------------------------------------------------------ start
    def choice(self) -> LaunchChoice:
        """The run the fields describe; UserError for a bad field."""
        if not self.scenarios:
            raise UserError("no scenario to run: put locustfiles in scenarios/ or pass -f PATH")
        index = self.query_one("#scenarios", OptionList).highlighted or 0
        info = self.scenarios[index]
        profile = self._profile_choice()
        selected = tuple(self.query_one("#user-classes", SelectionList).selected)
        if info.user_classes and not selected:
            raise UserError("pick at least one user class (space toggles)")
        all_classes = {u.name for u in info.user_classes}
        if profile is not None and shape_of(profile) is None and search_of(profile) is None:
            check_classes(self.settings.profiles[profile].mix, profile, [u.name for u in info.user_classes])
        target_pid, target_process = parse_target_process(self.query_one("#target-process", Input).value)
        cli_metrics = getattr(self.launch_options, "metrics_url", None) or ""
        metrics = unmasked_host(self.query_one("#metrics-url", Input).value, cli_metrics)
        return LaunchChoice(
            target_pid=target_pid,
            target_process=target_process,
            metrics_url=parse_metrics_url(metrics),
            run_name=parse_run_name(self.query_one("#run-name", Input).value),
            search=search_of(profile),
            scenario_path=info.path,
            profile=profile,
            host=parse_host(unmasked_host(self.query_one("#host", Input).value, self.initial_host)),
            workers=parse_workers(self.query_one("#workers", Input).value),
            user_classes=() if set(selected) == all_classes else selected,
            tags=parse_tags(self.query_one("#tags", Input).value),
            exclude_tags=parse_tags(self.query_one("#exclude-tags", Input).value),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        """The target fields are checked as typed (their validators): a bad value says why at once."""
        result = event.validation_result
        if result is not None:
            self.say(
                "" if result.is_valid else result.failure_descriptions[0],
                "info" if result.is_valid else "error",
            )

    def action_start_run(self) -> None:
        try:
            choice = self.choice()
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.say(f"starting {choice.scenario_path.name} ...")
        self.post_message(self.Launch(choice))
