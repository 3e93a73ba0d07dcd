"""The real "current" window: the demo target's latency steps mid-run and the window follows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import gevent
import pytest

from perfconsole.config import default_settings
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.model.run import RunSnapshot

ROOT = Path(__file__).resolve().parent.parent
HEALTH = ROOT / "scenarios" / "health.py"
WINDOW_S = 10


@pytest.fixture()
def step_target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=10, jitter_ms=0, error_rate=0.0, seed=1) as target:
        yield target


def poll(session: LoadSession, seconds: float) -> list[tuple[float, RunSnapshot]]:
    """Snapshots (with their wall-clock time) every 0.25 s for ``seconds``."""
    taken = []
    end = time.time() + seconds
    while time.time() < end:
        taken.append((time.time(), session.snapshot()))
        gevent.sleep(0.25)
    return taken


@pytest.mark.slow
def test_current_window_follows_a_latency_step_within_window_plus_2s(
    step_target: DemoTargetProcess, tmp_path: Path
) -> None:
    settings = replace(default_settings(), runs_dir=tmp_path / "runs", window_s=WINDOW_S)
    plan = RunPlan(
        scenario_path=HEALTH, host=step_target.url, users=8, spawn_rate=8, workers=1, resources=False
    )
    session = LoadSession(plan, settings)
    try:
        session.prepare()
        session.start()
        before = poll(session, 6.0)
        _, last = before[-1]
        assert 9 <= (last.total.current.p50 or 0) < 40  # the 10 ms regime (plus loopback overhead)
        step_at = time.time()
        step_target.control({"latency_ms": 150})
        after = poll(session, WINDOW_S + 4.0)
    finally:
        session.close()
    followed = [(t, snap) for t, snap in after if (snap.total.current.p50 or 0) >= 140]
    assert followed, [(round(t - step_at, 1), s.total.current.p50) for t, s in after]
    followed_at, snap = followed[0]
    assert followed_at - step_at <= WINDOW_S + 2
    # The whole run still holds the 10 ms requests: its p50 moves slowly.
    assert snap.total.cumulative.p50 is not None and snap.total.cumulative.p50 < 100
    assert snap.window_s == WINDOW_S
