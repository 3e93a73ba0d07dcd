"""Capacity searches against the real demo target, with real Locust users on 127.0.0.1.

The target's simulated DB pool sets a known capacity: 8 slots held 40 ms each (no jitter) serve at most
8 / 0.040 = 200 requests/s; past that requests queue and the latency climbs without bound. Each search is
bounded by its settings (short steps, a step cap) and by the test's own timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from engine_helpers import wait_for

from perfconsole.config import Limits, Search, Thresholds, default_settings
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.model.capacity import CapacityResult, SearchMode, SearchState, StepPhase

pytestmark = pytest.mark.slow

PRODUCTS = Path(__file__).resolve().parent / "locust_projects" / "capacity" / "products.py"
POOL_LIMIT_RPS = 200.0
"""8 pool slots / 40 ms."""
P95_LIMIT = Thresholds(default=Limits(p95_ms=200.0, error_rate_pct=1.0))
QUICK = Search(
    start=40,
    maximum=1000,
    step_pct=100,
    resolution_pct=10,
    settle_s=2.0,
    step_s=5.0,
    min_requests=50,
    confirm_s=6.0,
    max_steps=12,
)
SEARCH_TIMEOUT_S = 150.0


@pytest.fixture(scope="module")
def pool_target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=40.0, jitter_ms=0.0, error_rate=0.0, db_pool_size=8, seed=1) as target:
        yield target


@pytest.fixture()
def search_session(tmp_path: Path, pool_target: DemoTargetProcess) -> Iterator[Callable[..., LoadSession]]:
    sessions: list[LoadSession] = []

    def make(thresholds: Thresholds = P95_LIMIT, **plan: object) -> LoadSession:
        settings = replace(default_settings(), runs_dir=tmp_path / "runs", thresholds=thresholds)
        values: dict[str, object] = {"host": pool_target.url, "workers": 0, "users": 10, "spawn_rate": 10.0}
        values.update(plan)
        session = LoadSession(RunPlan(scenario_path=PRODUCTS, **values), settings)  # type: ignore[arg-type]
        sessions.append(session)
        session.prepare()
        return session

    yield make
    for session in sessions:
        session.close()


def search(session: LoadSession, mode: SearchMode, spec: Search) -> tuple[CapacityResult, float]:
    """Start the run and a search on it; wait for the answer (the search ends the run)."""
    session.start()
    began = time.monotonic()
    session.search.start(mode, spec, end_run=True)
    wait_for(lambda: not session.state.is_live, SEARCH_TIMEOUT_S, "the search's end")
    took = time.monotonic() - began
    result = session.search.result()
    assert result is not None
    session.finish()
    return result, took


def test_rate_search_finds_the_pools_capacity(search_session: Callable[..., LoadSession]) -> None:
    session = search_session()
    result, took = search(session, SearchMode.RATE, QUICK)
    lines = [s.line() for s in result.steps]
    print("\n".join(lines))
    assert result.state is SearchState.DONE, lines
    assert result.capacity is not None and result.capacity_rps is not None, lines
    # the SLO capacity within 20 % of the pool's knee (p95 < 200 ms breaks at or just below it)
    assert abs(result.capacity_rps - POOL_LIMIT_RPS) <= 0.2 * POOL_LIMIT_RPS, lines
    assert result.knee is not None and result.knee.rps <= POOL_LIMIT_RPS * 1.1, lines
    assert result.binding is not None and result.binding.side == "target"
    assert result.binding.breach.metric == "p95", result.binding.text
    assert result.steps[-1].phase is StepPhase.CONFIRM and result.confirmed
    # each step is a stage of its own, the settle apart
    labels = [s.label for s in session.stages() if s.kind == "search"]
    assert labels == [f"search {s.index}: {s.level:g}/s" for s in result.steps]
    print(f"rate search: {len(result.steps)} steps in {took:.0f} s; {result.answer}; {result.knee.text}")
