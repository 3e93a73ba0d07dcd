"""Locust's lifecycle events from the engine as the console drives it (no ``finish``: the console closes the
session): ``init`` when prepared, ``test_start``/``test_stop`` around a run, ``quitting`` then ``quit`` with
``environment.process_exit_code`` when it closes; each once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import gevent
import pytest
from locust.event import EventHook

from perfconsole.config import default_settings
from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession

PROJECTS = Path(__file__).resolve().parent / "locust_projects"
HOOKS = (PROJECTS / "hooks" / "hooks.py", PROJECTS / "hooks" / "admin.py")

pytestmark = pytest.mark.slow


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    with gevent.Timeout(timeout_s, AssertionError(f"timed out waiting for {what}")):
        while not condition():
            gevent.sleep(0.1)


@pytest.fixture
def own_listeners() -> Iterator[None]:
    """The test locustfile's listeners join the global ``locust.events``: take them out afterwards so they
    never fire in another test of this process."""
    import locust

    hooks = {name: hook for name, hook in vars(locust.events).items() if isinstance(hook, EventHook)}
    before = {name: list(hook._handlers) for name, hook in hooks.items()}
    yield
    for name, hook in hooks.items():
        hook._handlers[:] = before[name]


def test_console_session_fires_each_lifecycle_event_once(
    demo_target: DemoTargetProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_listeners: None
) -> None:
    log = tmp_path / "events.log"
    monkeypatch.setenv("DROPIN_LOG", str(log))
    monkeypatch.setenv("DROPIN_HOST", demo_target.url)
    monkeypatch.syspath_prepend(str(PROJECTS))

    def events() -> list[str]:
        lines = log.read_text().splitlines() if log.exists() else []
        return [line.split(" ", 2)[2] for line in lines if " user " not in line]

    plan = RunPlan(
        scenario_path=HOOKS[0], locustfiles=HOOKS, workers=0, users=2, spawn_rate=10, tags=("read",)
    )
    session = LoadSession(plan, replace(default_settings(), runs_dir=tmp_path / "runs"))
    try:
        session.prepare()
        assert events() == ["init"] and session.demo_target is None  # the classes name their host
        session.start()
        wait_for(lambda: session.snapshot().user_count == 2, 10, "2 users")
        session.stop()
        session.settle()
        assert events() == ["init", "test_start", "test_stop"]
    finally:
        session.close()
    assert events() == ["init", "test_start", "test_stop", "quitting", "quit 3"]
    assert session.process_exit_code == 3
    session.close()  # closing again fires nothing
    assert events()[-1] == "quit 3" and len(events()) == 5

    # a second session on the same files (the console's next run) imports them afresh: its hooks fire once
    second = LoadSession(plan, replace(default_settings(), runs_dir=tmp_path / "runs"))
    try:
        second.prepare()
    finally:
        second.close()
    assert events()[5:] == ["init", "test_stop", "quitting", "quit 3"]  # quit stops the runner, as in Locust
