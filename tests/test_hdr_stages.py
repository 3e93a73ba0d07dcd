"""Stats per stage: a three-stage profile whose stages see different demo-target latencies."""

from __future__ import annotations

import itertools
import math
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
    bounds = [(result.started_at + s.start_s, result.started_at + s.end_s) for s in result.stages]
    for stage, latency in zip(stages, LATENCIES_MS, strict=True):
        p50 = stage.percentiles.p50
        assert p50 is not None and stage.requests > 20
        # The engine's rule: a request counts in the stage in force at the middle of the second it ended in.
        # A second whose middle lies within 0.25 s of a stage edge may fall either side (the edges come from a
        # 0.1 s poll): each such second is tried in and out, and one choice must give the stage's own count
        # and median.
        # Seconds before the first stage count in it, and seconds after the last in the last.
        position = result.stages.index(stage)
        start, end = bounds[position]
        start = -math.inf if position == 0 else start
        end = math.inf if position == len(result.stages) - 1 else end
        sure = [(int(ended), rt) for ended, rt in logged if start + 0.25 <= int(ended) + 0.5 < end - 0.25]
        edge_seconds = {
            int(ended)
            for ended, _rt in logged
            for edge in (start, end)
            if abs(int(ended) + 0.5 - edge) < 0.25
        }
        candidates = []
        for chosen in itertools.product((False, True), repeat=len(edge_seconds)):
            extra = {second for second, take in zip(sorted(edge_seconds), chosen, strict=True) if take}
            mine = [rt for _sec, rt in sure] + [rt for ended, rt in logged if int(ended) in extra]
            if len(mine) == stage.requests:
                candidates.append(statistics.median_low(mine))
        assert candidates, (stage.label, stage.requests, len(sure), sorted(edge_seconds))
        assert any(abs(p50 - exact) <= 0.01 + 0.001 * exact for exact in candidates), (
            stage.label,
            p50,
            candidates,
        )
        assert latency <= p50 <= latency + 25, (stage.label, p50)  # loopback + scheduling overhead
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
