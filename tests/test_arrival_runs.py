"""Arrival-rate mode against the real demo target, with real Locust users, in process and on two workers.

Figures are counted where users run (each iteration's start, in the second it happened), so reporting
delays do not blur them. The rate tolerances are the issue's: the schedule, not the machine's speed, sets
the rate as long as the pool has idle users, which 10-50 users at 200/s against a 1 ms target have.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import gevent
import pytest
from cli_helpers import popen_perfconsole
from engine_helpers import edge_shift, moved_out, wait_for

from perfconsole.config import RateStage
from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.engine.arrival.plan import ArrivalPlan
from perfconsole.engine.session import LoadSession

pytestmark = pytest.mark.slow

Seconds = list[tuple[float, float, int, int]]


def run_to_end(session: LoadSession, timeout_s: float) -> None:
    session.start()
    wait_for(lambda: not session.state.is_live, timeout_s, "the run's end")
    session.settle()
    session.finish()


def started_between(seconds: Seconds, first_s: float, last_s: float) -> int:
    """Iterations started in the whole seconds that begin at or after ``first_s`` and end by ``last_s``."""
    return sum(
        started for start, _target, started, _dropped in seconds if start >= first_s and start + 1 <= last_s
    )


@pytest.mark.parametrize("workers", [0, 2])
def test_steady_rate_is_held(
    workers: int, demo_target: DemoTargetProcess, make_session: Callable[..., LoadSession]
) -> None:
    session = make_session(
        host=demo_target.url,
        workers=workers,
        users=10,
        duration_s=20.0,
        resources=False,
        arrival=ArrivalPlan(rate=200.0),
    )
    run_to_end(session, 60)
    controller = session.control.rate.controller
    assert controller is not None
    origin = controller.origin_s  # the schedule's start: the 20 s count from there (after the pool's spawn)
    result = session.result()
    assert result.arrival is not None
    seconds = list(result.arrival.seconds)
    last_ten = started_between(seconds, origin + 10.0, origin + 20.0)
    full = [s for s in seconds if origin + 10.0 <= s[0] and s[0] + 1 <= origin + 20.0]
    rate = last_ten / len(full)
    shift = edge_shift(controller, 200.0, origin + 10.0, origin + 20.0)
    requests = result.final.total.num_requests
    print(
        f"workers={workers}: last {len(full)} whole s of the rate's last 10 s {rate:.1f} it/s (late starts "
        f"moved at most {shift:.0f} across its edges); {requests} requests in 20 s; dropped "
        f"{result.arrival.figures.dropped}; lag p95 {result.arrival.figures.start_lag_p95_ms} ms"
    )
    print([s[2] for s in seconds])
    assert len(full) >= 9
    assert abs(last_ten - 200.0 * len(full)) <= 0.02 * 200.0 * len(full) + shift
    assert abs(requests - 200 * 20) <= 0.03 * 200 * 20
    # the pool's users wait for the schedule while they spawn: the rate is the run's first and only stage
    assert [(s.kind, s.label) for s in result.stages] == [("rate", "200/s")]
    stage = result.stages[0]
    assert stage.arrival is not None
    assert stage.arrival.target_rate == pytest.approx(200.0, rel=0.01)


def test_staged_rate_change_is_reached_within_two_seconds(
    demo_target: DemoTargetProcess, make_session: Callable[..., LoadSession]
) -> None:
    session = make_session(
        host=demo_target.url,
        workers=2,
        users=10,
        resources=False,
        arrival=ArrivalPlan(stages=(RateStage(10, 100), RateStage(16, 300))),
    )
    run_to_end(session, 60)
    result = session.result()
    assert result.arrival is not None
    seconds = list(result.arrival.seconds)
    controller = session.control.rate.controller
    assert controller is not None
    change = controller.origin_s + 10.0  # the stages count from the schedule's start (after the pool's spawn)
    after = [(round(s[0] - change, 2), s[2]) for s in seconds if change <= s[0] and s[0] + 1 <= change + 2]
    late = moved_out(controller, 300.0, change + after[-1][0]) if after else 0.0
    print(
        f"whole seconds ending within 2 s of the change to 300/s (offset, started): {after}; late starts "
        f"moved at most {late:.0f} out of the last"
    )
    assert after and after[-1][1] + late >= 290
    assert [s.label for s in result.stages] == ["rate stage 1: 100/s", "rate stage 2: 300/s"]
    before, later = (s.arrival for s in result.stages if s.kind == "rate")
    assert before is not None and later is not None
    assert before.target_rate == pytest.approx(100, rel=0.02) and later.target_rate == pytest.approx(
        300, rel=0.02
    )


def test_worker_killed_mid_run_hands_its_share_to_the_survivor(
    demo_target: DemoTargetProcess, make_session: Callable[..., LoadSession]
) -> None:
    session = make_session(
        host=demo_target.url,
        workers=2,
        users=10,
        duration_s=20.0,
        resources=False,
        arrival=ArrivalPlan(rate=200.0),
    )
    controller = session.control.rate.controller
    assert controller is not None and session.local_workers is not None
    session.start()
    wait_for(lambda: len(controller.shares) == 2 and session.elapsed_s > 5, 30, "two shares")
    shares = list(controller.shares.values())  # even, unless one worker fell short since (rebalanced)
    assert sum(shares) == pytest.approx(200.0) and min(shares) > 0
    victim = session.local_workers.processes[0]
    os.kill(victim.pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(lambda: list(controller.shares.values()) == [200.0], 15, "the whole rate on the survivor")
    moved_after = time.monotonic() - killed
    kill_elapsed = session.elapsed_s - moved_after
    wait_for(lambda: not session.state.is_live, 40, "the run's end")
    session.settle()
    session.finish()
    result = session.result()
    assert result.arrival is not None
    later = started_between(list(result.arrival.seconds), kill_elapsed + 6, 20.0)
    full = sum(1 for s in result.arrival.seconds if s[0] >= kill_elapsed + 6 and s[0] + 1 <= 20.0)
    print(
        f"share moved {moved_after:.1f} s after the kill; then {later / max(full, 1):.1f} it/s over {full} s"
    )
    assert moved_after <= 5.0
    shift = edge_shift(controller, 200.0, kill_elapsed + 6, 20.0)
    assert full >= 3 and later + shift >= 190 * full


def test_slow_target_fills_the_pool_drops_and_fails_the_threshold(
    tmp_path: Path, demo_target: DemoTargetProcess, demo_control: Callable[..., dict]
) -> None:
    (tmp_path / "config.toml").write_text("[thresholds]\ndropped_pct = 5\n", encoding="utf-8")
    demo_control(latency_ms=10.0)  # 10 ms: 200/s need about 3 users, the 10 of the pool keep up
    proc = popen_perfconsole(
        [
            "run",
            "--headless",
            "--host",
            demo_target.url,
            "-f",
            str(Path(__file__).parent.parent / "scenarios" / "health.py"),
            "--workers",
            "2",
            "-u",
            "10",
            "--arrival-rate",
            "200",
            "--max-users",
            "50",
            "-t",
            "16s",
            "--summary-json",
        ],
        tmp_path,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "wait_time is not used" in line:
                break
        time.sleep(5)
        demo_control(latency_ms=500.0)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    summary = json.loads(out)
    arrival = summary["arrival"]
    total = summary["total"]
    print(
        f"exit {proc.returncode}; pool {arrival['peak_pool']}/{arrival['max_users']}; dropped "
        f"{arrival['dropped']} ({arrival['dropped_pct']:.1f}%); p95 {total['p95_ms']} ms measured, "
        f"{total['corrected']['p95_ms']} ms from the scheduled start; "
        f"start lag p95 {arrival['start_lag_p95_ms']} ms"
    )
    failed = [t for t in summary["thresholds"] if not t["passed"]]
    assert proc.returncode == 10, (failed, summary["errors"], err[-2000:])
    assert arrival["peak_pool"] == 50 and arrival["max_users"] == 50
    assert arrival["dropped"] > 0
    slow = [s for s in arrival["seconds"] if s[0] >= 9 and s[0] + 1 <= 15]
    dropped_per_s = sum(s[3] for s in slow) / max(1, len(slow))
    print(f"dropped {dropped_per_s:.0f}/s over {len(slow)} s with the pool full: {[s[3] for s in slow]}")
    # about 100/s: 50 users serve 2 iterations/s each; a busy box's overhead lowers what they serve, but an
    # iteration of a 500 ms request taking a whole second would be the generator's fault (150/s dropped)
    assert len(slow) >= 4 and 75 <= dropped_per_s <= 150
    asked = sum(s[2] + s[3] for s in slow) / len(slow)
    assert 180 <= asked <= 220  # every scheduled iteration is either started or dropped
    # the iterations that did start waited for a free user (up to 1 s): their time from the scheduled start
    # holds that wait, the service time does not
    assert arrival["start_lag_p95_ms"] > 100
    assert total["corrected"]["p95_ms"] > total["p95_ms"] + 100
    failed = [t for t in summary["thresholds"] if not t["passed"]]
    assert [t["metric"] for t in failed] == ["dropped_pct"]
    # the run and its one stage (the rate) are stamped invalid by their drops
    validity = summary["validity"]
    assert any(r.startswith("dropped ") for r in validity["reasons"]), validity
    assert [s["index"] for s in validity["stages"]] == [1]
    assert any("of the stage's iterations" in r for r in validity["stages"][0]["reasons"]), validity


def test_rate_profile_picked_mid_run_starts_its_stages_and_a_users_profile_leaves_them(
    demo_target: DemoTargetProcess, make_session: Callable[..., LoadSession]
) -> None:
    from perfconsole.config import Arrival, Profile

    rate_profile = Profile(
        "mini-spike", 4, 4.0, 6.0, arrival=Arrival(stages=(RateStage(3, 50), RateStage(6, 150)))
    )
    users_profile = Profile("two", 2, 2.0, None)
    session = make_session(host=demo_target.url, workers=0, users=4, spawn_rate=4.0, resources=False)
    session.start()
    wait_for(lambda: session.snapshot().user_count == 4, 20, "the 4 users")
    session.apply_profile(rate_profile)
    wait_for(lambda: session.snapshot().stage == "rate stage 2: 150/s", 20, "the profile's second stage")
    status = session.snapshot().arrival
    assert status is not None and status.target_rate == 150
    session.apply_profile(users_profile)
    assert session.snapshot().arrival is None and not session.arrival.active
    session.stop()
    wait_for(lambda: not session.state.is_live, 20, "the stop")
    notes = [a.text for a in session.annotations if a.kind == "rate"]
    assert notes[0].startswith("arrival rate: 2 rate stages on 4 users") and notes[-1].startswith(
        "arrival rate off"
    )


def test_limit_verdict_follows_a_slowed_target(
    demo_target: DemoTargetProcess,
    demo_control: Callable[..., dict],
    make_session: Callable[..., LoadSession],
) -> None:
    """The console's verdict (the rate panel's, from the same snapshot and history) on a real run: the
    target slowed to 100 ms at 200/s needs about 25 users, which the ceiling of 50 allows ("target-bound":
    latency rising, pool growing); slowed to 500 ms it needs 100 ("pool ceiling reached": drops)."""
    from perfconsole.tui.views.rate import verdict
    from perfconsole.verdicts.arrival import POOL_CEILING, TARGET_BOUND

    session = make_session(
        host=demo_target.url,
        workers=2,
        users=10,
        duration_s=40.0,
        resources=False,
        arrival=ArrivalPlan(rate=200.0, max_users=50),
    )
    controller = session.control.rate.controller
    assert controller is not None
    session.start()

    def reading() -> tuple[str, str]:
        found = verdict(session.snapshot(), session.history)
        assert found is not None
        return found

    def wait_for_verdict(wanted: str, timeout_s: float) -> list[tuple[float, str, str]]:
        seen: list[tuple[float, str, str]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            word, why = reading()
            seen.append((round(session.elapsed_s, 1), word, why))
            if word == wanted:
                return seen
            gevent.sleep(0.25)
        raise AssertionError(f"no {wanted!r} within {timeout_s} s: {seen}")

    # the verdict's trends compare with 10 s before: let 12 s of history build up at 1 ms
    wait_for(lambda: controller.active and session.elapsed_s > controller.origin_s + 12, 40, "12 s at 200/s")
    calm = reading()
    demo_control(latency_ms=100.0)
    bound = wait_for_verdict(TARGET_BOUND, 10)
    pool_then = session.snapshot().user_count
    demo_control(latency_ms=500.0)
    ceiling = wait_for_verdict(POOL_CEILING, 10)
    status = session.snapshot().arrival
    session.stop()
    wait_for(lambda: not session.state.is_live, 30, "the stop")
    print(f"at 1 ms: {calm}; slowed to 100 ms: {bound[-1]} (pool {pool_then}); 500 ms: {ceiling[-1]}")
    assert status is not None and status.pool == 50 and status.dropped_rate > 0
    assert 10 < pool_then < 50  # grew for 100 ms, within the ceiling
