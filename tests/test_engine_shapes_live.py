"""Shapes: a locustfile's LoadTestShape as the engine runs and previews it, and live controls that leave a
shape say so (annotation, stage label "manual")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gevent
import pytest
from engine_helpers import wait_for

from perfconsole.config import Profile, Stage
from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.engine.session import LoadSession
from perfconsole.engine.shape_preview import compute_preview, preview_shape
from perfconsole.model.run import RunState

ROOT = Path(__file__).resolve().parent.parent
SHAPED_LOCUSTFILE = """
from locust import HttpUser, LoadTestShape, constant, task


class Pinger(HttpUser):
    wait_time = constant(0.2)

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")


class TwoSteps(LoadTestShape):
    def tick(self):
        t = self.get_run_time()
        if t < 2:
            return 1, 10
        if t < 4:
            return 2, 10
        return None
"""


class _Steps:
    """A LoadTestShape-like object: 2 users for 10 s, 5 until 20 s, then the end."""

    def get_run_time(self) -> float:
        raise AssertionError("the preview replaces the clock")

    def tick(self) -> tuple[int, float] | None:
        t = self.get_run_time()
        return (2, 1.0) if t < 10 else (5, 1.0) if t < 20 else None


def test_preview_calls_tick_with_a_fake_clock_and_is_bounded() -> None:
    points, ends = preview_shape(_Steps())
    assert ends and points[0] == (0.0, 2) and points[10] == (10.0, 5) and points[-1] == (20.0, 0)

    class Forever(_Steps):
        def tick(self) -> tuple[int, float] | None:
            return 1, 1.0

    points, ends = preview_shape(Forever(), horizon_s=30)
    assert not ends and len(points) == 31


@pytest.mark.slow
def test_preview_of_a_locustfile_shape_in_a_child_process(tmp_path: Path) -> None:
    path = tmp_path / "shaped.py"
    path.write_text(SHAPED_LOCUSTFILE)
    answer = compute_preview(path, "TwoSteps")
    assert answer == {"points": [[0.0, 1], [1.0, 1], [2.0, 2], [3.0, 2], [4.0, 0]], "ends": True}
    assert "error" in compute_preview(path, "NoSuchShape")


@pytest.mark.slow
def test_locustfile_shape_runs_and_a_control_leaves_it_with_an_annotation(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess, tmp_path: Path
) -> None:
    path = tmp_path / "shaped.py"
    path.write_text(SHAPED_LOCUSTFILE)
    session = make_session(path, host=demo_target.url, workers=0, use_scenario_shape=True)
    session.start()
    assert session.active_shape == "TwoSteps"
    wait_for(lambda: session.snapshot().user_count == 1, 5, "the shape's first step")
    assert session.snapshot().stage == "TwoSteps"
    session.set_users(3)
    wait_for(lambda: session.snapshot().user_count == 3, 5, "the operator's 3 users")
    assert session.active_shape is None
    assert session.snapshot().stage == "manual"
    texts = [a.text for a in session.annotations]
    assert any(t.startswith("left shape TwoSteps") and "manual control by users" in t for t in texts), texts
    gevent.sleep(4.5)  # past the shape's end: the operator's users stay
    assert session.state == RunState.RUNNING and session.snapshot().user_count == 3


@pytest.mark.slow
def test_pause_under_a_staged_profile_leaves_it_with_an_annotation(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess
) -> None:
    profile = Profile(
        name="steps",
        users=2,
        spawn_rate=20,
        duration_s=30,
        stages=(Stage(until_s=30, users=2, spawn_rate=20),),
    )
    session = make_session(host=demo_target.url, profile=profile, workers=0)
    session.start()
    wait_for(lambda: session.snapshot().user_count == 2, 5, "the stage's users")
    session.pause()
    assert session.snapshot().stage == "manual"
    assert any(a.text.startswith("left shape steps") for a in session.annotations)
