"""Each endpoint's window figures every few seconds (engine recorder, store codec, the time cursor's rows):
pure parts alone; a real run with a spike drill saved and scrubbed is in test_time_cursor_run.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from test_store_factories import make_result

from perfconsole.engine.endpoint_steps import StepRecorder
from perfconsole.model.run import RunSnapshot
from perfconsole.store.endpoint_steps import (
    COLUMNS,
    MAX_STEPS,
    STEP_S,
    STEPS_CSV,
    EndpointStep,
    read_steps,
)
from perfconsole.tui.views.time_cursor import endpoints_at_step


def step(elapsed_s: float, name: str, p95: float | None, requests: int = 10) -> EndpointStep:
    return EndpointStep(elapsed_s, "GET", name, requests, 1, 5.0, 0.5, 10.0, p95, p95, p95, p95)


def test_steps_are_due_every_step_and_bounded_by_thinning() -> None:
    recorder = StepRecorder()
    assert recorder.due(0.0)
    recorder.record(1.0, [step(1.0, "/a", 20.0)])
    assert not recorder.due(4.9) and recorder.due(5.0)
    recorder.record(1.0, [step(1.0, "/a", 30.0)])  # the same moment again replaces it
    assert len(recorder) == 1 and "30" in recorder.csv_text().splitlines()[1]
    elapsed = float(STEP_S)
    while len(recorder) < MAX_STEPS:
        recorder.record(elapsed, [step(elapsed, "/a", 20.0)])
        elapsed += STEP_S
    recorder.record(elapsed, [step(elapsed, "/a", 20.0)])
    assert len(recorder) == MAX_STEPS // 2 + 1 and recorder.step_s == 2 * STEP_S
    assert not recorder.due(elapsed + STEP_S) and recorder.due(elapsed + 2 * STEP_S)
    recorder.clear()
    assert len(recorder) == 0 and recorder.step_s == STEP_S and recorder.due(0.0)


def test_an_hour_at_100_endpoints_keeps_about_6_mb(tmp_path: Path) -> None:
    """What a saved run keeps for the time cursor, measured: an hour of steps at 100 endpoints with
    20-character names, hour-long counts and fractional figures (as README says: about 80 bytes a row,
    720 steps x 100 rows)."""
    import random
    import tracemalloc

    rng = random.Random(1)
    names = [f"/api/v1/things/{n:03d}/x" for n in range(100)]
    recorder = StepRecorder()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    elapsed = 0.0
    while elapsed < 3600.0:
        if recorder.due(elapsed):
            rows = [
                EndpointStep(
                    elapsed,
                    "GET",
                    name,
                    int(elapsed * 30) + rng.randrange(100),
                    rng.randrange(500),
                    round(rng.uniform(1, 60), 2),
                    round(rng.uniform(0, 2), 2),
                    *(round(rng.uniform(5, 900), 2) for _ in range(5)),
                )
                for name in names
            ]
            recorder.record(elapsed, rows)
        elapsed += 1.0
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    saved = len(recorder.csv_text().encode())
    mb = f"{saved / 1e6:.1f} MB saved, {held / 1e6:.1f} MB held"
    print(f"1 h at 100 endpoints: {len(recorder)} steps, {mb}")
    assert len(recorder) == 720 and recorder.step_s == STEP_S
    assert 720 * 100 * 60 < saved < 720 * 100 * 90  # 60..90 bytes a row
    assert held < 1.2 * saved  # held as its text, not as Python objects a row


def test_rows_round_trip_and_bad_rows_are_left_out(tmp_path: Path) -> None:
    recorder = StepRecorder()
    recorder.record(5.0, [step(5.0, "/a", 20.0), step(5.0, "/b,with comma", None)])
    (tmp_path / STEPS_CSV).write_text(recorder.csv_text() + "5.0,GET,/c,x,1,1,1,,,,,\nnonsense\n")
    assert read_steps(tmp_path) == [step(5.0, "/a", 20.0), step(5.0, "/b,with comma", None)]
    assert read_steps(tmp_path / "missing") == []
    (tmp_path / STEPS_CSV).write_text("not,the,header\n" + "5.0,GET,/a,1,0,1,0,1,2,3,4,5\n")
    assert read_steps(tmp_path) == []
    assert len(COLUMNS) == 12


def final_with(*names: str) -> RunSnapshot:
    final = make_result().final
    template = final.endpoints[0]
    return replace(final, endpoints=tuple(replace(template, method="GET", name=name) for name in names))


def test_the_cursor_shows_the_last_step_before_it_and_idle_endpoints_empty() -> None:
    final = final_with("/a", "/b", "/never")
    steps = [step(5.0, "/a", 20.0), step(5.0, "/b", 40.0), step(10.1, "/a", 300.0, requests=60)]
    assert endpoints_at_step(final, steps, 4.0) == ()
    at_5 = {e.name: e.current.p95 for e in endpoints_at_step(final, steps, 7.0)}
    assert at_5 == {"/a": 20.0, "/b": 40.0}
    at_10 = {e.name: e for e in endpoints_at_step(final, steps, 10.0)}  # 0.1 s late: still this second's
    assert at_10["/a"].current.p95 == 300.0 and at_10["/a"].num_requests == 60
    assert at_10["/b"].current.p95 is None and at_10["/b"].current_rps == 0.0 and "/never" not in at_10
