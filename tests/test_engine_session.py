"""The engine's LoadSession driven directly: real users against the real demo target (conftest)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import gevent
import pytest
from engine_helpers import wait_for

from perfconsole.config import Profile, SpikeDrill, Stage
from perfconsole.demo_target.process import DemoTargetProcess
from perfconsole.engine.session import LoadSession
from perfconsole.errors import UserError
from perfconsole.model.run import RunState

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_staged_profile_follows_its_stages_and_ends_by_itself(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess
) -> None:
    profile = Profile(
        name="steps",
        users=4,
        spawn_rate=20,
        duration_s=4,
        stages=(Stage(until_s=2, users=2, spawn_rate=20), Stage(until_s=4, users=4, spawn_rate=20)),
    )
    session = make_session(host=demo_target.url, profile=profile, workers=0)
    session.start()
    wait_for(lambda: session.runner is not None and session.runner.user_count == 2, 3, "stage 1 users")
    assert session.snapshot().stage == "1/2 ramp to 2 @20/s"
    assert session.snapshot().target_user_count == 2  # the shape's target, not a manual one
    wait_for(lambda: session.runner is not None and session.runner.user_count == 4, 4, "stage 2 users")
    wait_for(lambda: session.state == RunState.STOPPED, 5, "the shape to end the run")
    snap = session.snapshot()
    assert snap.total.num_requests > 0
    assert [a.kind for a in session.annotations][0] == "profile"


def test_live_controls_pause_resume_profile_and_validation(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess
) -> None:
    session = make_session(host=demo_target.url, users=2, spawn_rate=20, workers=0)
    with pytest.raises(UserError):
        session.set_users(5)  # nothing running yet
    session.start()
    wait_for(lambda: session.snapshot().user_count == 2, 3, "2 users")
    session.set_users(5, 50)
    wait_for(lambda: session.snapshot().user_count == 5, 3, "5 users")
    session.set_users(1)
    wait_for(lambda: session.snapshot().user_count == 1, 3, "1 user")
    session.pause()
    assert session.paused
    wait_for(lambda: session.snapshot().user_count == 0, 3, "paused at 0 users")
    session.resume()
    wait_for(lambda: session.snapshot().user_count == 1, 3, "resumed to 1 user")
    session.apply_profile(Profile(name="tiny", users=3, spawn_rate=30, duration_s=60))
    wait_for(lambda: session.snapshot().user_count == 3, 3, "profile's 3 users")
    snap = session.snapshot()
    assert snap.profile == "tiny" and snap.target_user_count == 3
    texts = [a.text for a in session.annotations]
    assert "users 2 -> 5 at 50/s" in texts and "paused (0 users)" in texts and "profile -> tiny" in texts
    before = snap.total.num_requests
    session.stop()
    wait_for(lambda: session.snapshot().user_count == 0, 5, "stop")
    assert session.state == RunState.STOPPED and session.snapshot().total.num_requests >= before
    session.start()  # starting again clears the stats, as Locust does
    assert session.state == RunState.SPAWNING and len(session.annotations) == 1


def test_spike_drill_returns_to_the_level_before_with_a_verdict(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    import perfconsole.verdicts.drills as drills

    monkeypatch.setattr(drills, "PRE_WINDOW_S", 3.0)
    session = make_session(host=demo_target.url, users=2, spawn_rate=20, workers=0)
    session.start()
    gevent.sleep(3.5)
    session.fire_spike(SpikeDrill(users=6, spawn_rate=60, duration_s=2))
    wait_for(lambda: session.snapshot().user_count == 6, 3, "spike users")
    wait_for(lambda: session.snapshot().user_count == 2, 5, "back to the level before")
    wait_for(lambda: session.spike_verdict is not None, 15, "a recovery verdict")
    verdict = session.spike_verdict
    assert verdict is not None and verdict.recovered and verdict.recovery_s is not None
    kinds = [a.kind for a in session.annotations]
    assert kinds.count("drill") == 3  # fired, over, verdict
    assert verdict.text in session.annotations[-1].text


def test_lost_worker_is_annotated(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess
) -> None:
    session = make_session(host=demo_target.url, users=2, spawn_rate=20, workers=1)
    session.start()
    wait_for(lambda: session.snapshot().user_count == 2, 10, "2 users on the worker")
    os.kill(session.worker_pids[0], signal.SIGKILL)
    wait_for(lambda: any(a.kind == "worker" for a in session.annotations), 20, "a worker-lost annotation")
    assert session.snapshot().missing_worker_count == 1


def _served(url: str) -> int:
    """Requests the demo target answered (its Prometheus counter; /metrics and /_control excluded)."""
    import urllib.request

    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    return int(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("demo_requests_total{") and "/metrics" not in line and "/_control" not in line
        )
    )


FAST = '''
"""Back-to-back pings."""
from locust import HttpUser, constant, task

class Pinger(HttpUser):
    wait_time = constant(0.01)

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
'''


def test_stop_then_settle_holds_every_request_the_workers_made(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess, tmp_path: Path
) -> None:
    (tmp_path / "fast.py").write_text(FAST)
    before = _served(demo_target.url)
    session = make_session(tmp_path / "fast.py", host=demo_target.url, users=3, spawn_rate=30, workers=1)
    session.start()
    wait_for(lambda: session.snapshot().total.num_requests > 10, 15, "requests reported by the worker")
    gevent.sleep(1.5)  # halfway between two worker reports: these requests are not on the master yet
    session.stop()
    session.settle()
    recorded = session.snapshot().total.num_requests
    served = _served(demo_target.url) - before
    # stopping kills users mid-request: at most one request per user is served but not recorded
    assert served - 3 <= recorded <= served


def test_switching_to_a_staged_profile_mid_run_follows_its_stages(
    make_session: Callable[..., LoadSession], demo_target: DemoTargetProcess
) -> None:
    session = make_session(host=demo_target.url, users=1, spawn_rate=10, workers=0)
    session.start()
    wait_for(lambda: session.snapshot().user_count == 1, 3, "1 user")
    gevent.sleep(1.5)
    staged = Profile(
        name="steps",
        users=3,
        spawn_rate=30,
        duration_s=3,
        stages=(Stage(until_s=1.5, users=3, spawn_rate=30), Stage(until_s=3, users=2, spawn_rate=30)),
    )
    session.apply_profile(staged)
    wait_for(lambda: session.snapshot().user_count == 3, 3, "the first stage's users")
    wait_for(lambda: session.snapshot().user_count == 2, 3, "the second stage's users")
    wait_for(lambda: session.state == RunState.STOPPED, 5, "the end of the staged profile")
    assert session.snapshot().profile == "steps"
    assert session.elapsed_s >= 4.5  # the stages ran from the switch, not from the start of the run
