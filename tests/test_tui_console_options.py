"""The console takes its options from Locust's sources too: a locust.conf in the working directory preselects
its locustfile, host, users and tags on the start screen, and a locustfile's custom arguments given on the
console's command line reach the run's ``parsed_options`` (through the one plan builder)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from textual.widgets import Input, OptionList, Static

from perfconsole.cli.console import make_console
from perfconsole.errors import UserError
from perfconsole.tui.screens.start import StartScreen
from perfconsole.tui.session_api import LaunchChoice

LOCUSTFILE = """
from locust import HttpUser, constant, events, tag, task


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--pc-console-greeting", default="hi")


@events.test_start.add_listener
def conf_scenario_test_start(environment, **kwargs):
    pass


class ConfUser(HttpUser):
    wait_time = constant(1)

    @tag("read")
    @task
    def health(self):
        self.client.get("/api/v1/health/")
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A Locust project as the working directory; the locustfile's parser listener is removed afterwards."""
    (tmp_path / "conf_scenario.py").write_text(LOCUSTFILE)
    (tmp_path / "locust.conf").write_text(
        "locustfile = conf_scenario.py\nhost = http://127.0.0.1:9\nusers = 7\ntags = [read]\n"
        "headless = true\n"  # a CI-minded locust.conf: the console still stops, rather than quits, a shape
    )
    (tmp_path / "config.toml").write_text('[run]\nruns_dir = "runs"\n')
    for name in list(os.environ):
        if name.startswith(("LOCUST_", "PERFCONSOLE_")) or name in ("LOAD_PROFILE", "TARGET_HOST"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    hooks = (locust.events.init_command_line_parser, locust.events.test_start)
    listeners = [list(hook._handlers) for hook in hooks]
    yield tmp_path
    for hook, before in zip(hooks, listeners, strict=True):
        hook._handlers[:] = before


def test_locust_conf_preselects_the_start_screen_and_custom_arguments_reach_the_plan(project: Path) -> None:
    app, _settings = make_console(["--pc-console-greeting", "hey", "--workers", "0"])
    plans: list[Any] = []
    build = app.session_factory

    def record(choice: Any) -> Any:
        plans.append(build(choice).plan)  # the engine's session, planned but not prepared
        raise UserError("recorded")  # stay on the start screen

    app.session_factory = record

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StartScreen)
            scenarios = screen.query_one("#scenarios", OptionList)
            assert screen.scenarios[scenarios.highlighted or 0].name == "conf_scenario"
            assert screen.query_one("#host", Input).value == "http://127.0.0.1:9"
            assert screen.query_one("#tags", Input).value == "read"
            assert "users 7" in str(screen.query_one("#profile-info", Static).render())
            await pilot.press("enter")
            await pilot.pause()

    asyncio.run(drive())
    (plan,) = plans
    assert plan.scenario_path.name == "conf_scenario.py"
    assert (plan.host, plan.users, plan.tags, plan.workers) == ("http://127.0.0.1:9", 7, ("read",), 0)
    assert plan.parsed_options.pc_console_greeting == "hey"
    assert not plan.parsed_options.headless


def test_a_bad_locust_conf_line_stops_the_console_before_it_opens(project: Path) -> None:
    (project / "locust.conf").write_text("locustfile = conf_scenario.py\nuserz = 7\n")
    with pytest.raises(UserError, match="userz"):
        make_console([])


def test_choosing_another_scenario_leaves_out_the_named_locustfiles_hooks(project: Path) -> None:
    """The console imported locust.conf's locustfile for its custom arguments; when the operator runs another
    scenario, that file's hooks must not fire in it (its custom arguments still parse)."""
    other = LOCUSTFILE.replace("ConfUser", "OtherUser").replace("conf_scenario_", "x_")
    (project / "other.py").write_text(other.replace("console-", "other-"))
    app, _settings = make_console(["--pc-console-greeting", "hey"])

    def hook_names() -> set[str]:
        return {getattr(h, "__name__", "") for h in locust.events.test_start._handlers}

    assert "conf_scenario_test_start" in hook_names()
    session = app.session_factory(LaunchChoice(scenario_path=project / "other.py", workers=0))
    assert "conf_scenario_test_start" not in hook_names()
    options = session.plan.parsed_options  # type: ignore[attr-defined]
    assert (options.pc_console_greeting, options.pc_other_greeting) == ("hey", "hi")
