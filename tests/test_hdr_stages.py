"""Stats per stage: a three-stage profile whose stages see different demo-target latencies."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import gevent
import pytest

from perfconsole.config import Profile, Stage, default_settings
from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.model.run import RunState
from perfconsole.store.stages_codec import stage_to_dict, stages_csv, stages_from_list

LATENCIES_MS = (20.0, 80.0, 200.0)
TIMES_ENV = "PERFCONSOLE_TEST_TIMES"
SCENARIO = f'''
import os, time
from locust import FastHttpUser, constant, events, task

OUT = os.environ.get("{TIMES_ENV}", "")


@events.request.add_listener
def log_time(response_time, **_kwargs):
    if OUT:
        with open(os.path.join(OUT, f"{{os.getpid()}}.txt"), "a") as out:
            out.write(f"{{time.time()}} {{response_time}}\\n")


class Ping(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
'''


@pytest.fixture()
def stage_target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=LATENCIES_MS[0], jitter_ms=0, error_rate=0.0, seed=1) as target:
        yield target


@pytest.mark.slow
def test_each_stage_has_its_own_percentiles(
    stage_target: DemoTargetProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    times_dir = tmp_path / "times"
    times_dir.mkdir()
    monkeypatch.setenv(TIMES_ENV, str(times_dir))
    scenario = tmp_path / "ping.py"
    scenario.write_text(SCENARIO)
    profile = Profile(
        name="three",
        users=3,
        spawn_rate=30,
        duration_s=12,
        stages=tuple(Stage(until_s=4.0 * (i + 1), users=3, spawn_rate=30) for i in range(3)),
    )
    settings = replace(default_settings(), runs_dir=tmp_path / "runs")
    session = LoadSession(
        RunPlan(scenario_path=scenario, host=stage_target.url, profile=profile, workers=1, resources=False),
        settings,
    )
    labels: list[str] = []
    try:
        session.prepare()
        session.start()
        deadline = time.monotonic() + 60
        while session.state in (RunState.SPAWNING, RunState.RUNNING) and time.monotonic() < deadline:
            label = session.snapshot().stage
            if label and (not labels or labels[-1] != label):
                labels.append(label)
                if len(labels) <= len(LATENCIES_MS):
                    stage_target.control({"latency_ms": LATENCIES_MS[len(labels) - 1]})
            gevent.sleep(0.05)
        session.settle(timeout_s=15)
        result = session.result()
    finally:
        session.close()
    stages = [s for s in result.stages if s.kind == "stage"]
    assert [s.label for s in stages] == labels[:3]
    logged = [
        tuple(map(float, line.split()))
        for path in times_dir.glob("*.txt")
        for line in path.read_text().splitlines()
    ]
    assert sum(s.requests for s in result.stages) == len(logged) == result.final.total.num_requests
    for stage, latency in zip(stages, LATENCIES_MS, strict=True):
        p50 = stage.percentiles.p50
        assert p50 is not None and stage.requests > 20
        # The requests that ended well inside the stage, as the users timed them.
        start, end = result.started_at + stage.start_s, result.started_at + stage.end_s
        inside = [rt for ended, rt in logged if start + 0.6 <= ended <= end - 0.6]
        exact = statistics.median_low(inside)
        assert abs(p50 - exact) <= 1 + 0.01 * exact, (stage.label, p50, exact)
        assert latency <= p50 <= latency + 15, (stage.label, p50)  # loopback + scheduling overhead
    # Saved and read back; stages.csv has a row a stage.
    assert stages_from_list([stage_to_dict(s) for s in result.stages]) == result.stages
    assert len(stages_csv(result.stages).splitlines()) == len(result.stages) + 1


def test_runs_with_the_same_stages_compare_stage_by_stage() -> None:
    from test_tui_data import snapshot

    from perfconsole.model.run import Percentiles, RunResult
    from perfconsole.model.stages import StageStats
    from perfconsole.verdicts.regression import compare

    def stage(index: int, label: str, p50: float) -> StageStats:
        return StageStats(
            index,
            label,
            "stage",
            10.0 * index,
            10.0 * index + 10,
            500,
            0,
            Percentiles(p50, p50, p50, p50, p50, p50),
        )

    def result(*stages: StageStats) -> RunResult:
        return RunResult(snapshot(), (), (), (), False, 0.0, 30.0, "s.py", None, stages=stages)

    base = result(stage(1, "1/2 hold 10 users", 20.0), stage(2, "2/2 hold 50 users", 80.0))
    slower = result(stage(1, "1/2 hold 10 users", 20.5), stage(2, "2/2 hold 50 users", 160.0))
    comparison = compare(base, slower)
    rows = {row.endpoint: row for row in comparison.rows}
    assert rows["stage 1: 1/2 hold 10 users"].metric("p50").verdict == "ok"
    assert rows["stage 2: 2/2 hold 50 users"].metric("p50").regressed
    assert (
        "stage 2: 2/2 hold 50 users",
        rows["stage 2: 2/2 hold 50 users"].metric("p50"),
    ) in comparison.regressions
    other = result(stage(1, "1/2 hold 10 users", 20.0), stage(2, "2/2 hold 60 users", 80.0))
    assert not [
        r for r in compare(base, other).rows if r.endpoint.startswith("stage ")
    ]  # not the same stages
