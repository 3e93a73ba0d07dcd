"""Shared fixtures.

``demo_target`` (session): a real demo target child process (``perfconsole demo-target``) on a free
127.0.0.1 port, fast and deterministic enough for tests: 1 ms base latency, 1 ms median jitter, no
injected errors, seed 1. Use ``demo_target.url`` as the host. It is shared by the whole session, so do
not leave it changed: change its behaviour through ``demo_control``, which restores it after the test.

``make_session`` (function): ``make_session(scenario=HEALTH, **plan)`` gives a prepared engine LoadSession,
closed after the test.

``soak_runs`` (session, autouse): when the soak test (``test_soak_real``) is selected, its two 3-minute
runs, started before the first test so that they go on beside the rest of the suite; else None.

``demo_control`` (function): ``demo_control(latency_ms=..., error_rate=..., path_latency_ms={...},
path_error_rates={...})`` POSTs to the target's ``/_control`` and returns the settings now in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import locust  # noqa: F401  - first third-party import: gevent patches before anything else loads
import pytest
from soak_runs import SoakRun, start_soak_runs

from perfconsole.config import default_settings
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession

pytest_plugins = ["slow_guard"]

HEALTH = Path(__file__).resolve().parent.parent / "scenarios" / "health.py"

DemoControl = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def demo_target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=1.0, jitter_ms=1.0, error_rate=0.0, seed=1) as target:
        yield target


@pytest.fixture(scope="session", autouse=True)
def soak_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, SoakRun] | None]:
    if not any(item.path.name == "test_soak_real.py" for item in request.session.items):
        yield None
        return
    runs = start_soak_runs(tmp_path_factory.mktemp("soak"))
    yield runs
    for run in runs.values():
        run.close()


@pytest.fixture
def demo_control(demo_target: DemoTargetProcess) -> Iterator[DemoControl]:
    def control(**settings: Any) -> dict[str, Any]:
        return demo_target.control(settings)

    yield control
    if demo_target.running:
        demo_target.control({"reset": True})


@pytest.fixture()
def make_session(tmp_path: Path) -> Iterator[Callable[..., LoadSession]]:
    """``make_session(scenario=HEALTH, **plan)``: a prepared session, closed after the test."""
    sessions: list[LoadSession] = []
    settings = replace(default_settings(), runs_dir=tmp_path / "runs")

    def make(scenario: Path = HEALTH, **plan: object) -> LoadSession:
        session = LoadSession(RunPlan(scenario_path=scenario, **plan), settings)  # type: ignore[arg-type]
        sessions.append(session)
        session.prepare()
        return session

    yield make
    for session in sessions:
        session.close()
