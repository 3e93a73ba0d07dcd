"""RunControl and the Sampler alone, over a stand-in for the session's public surface (pure unit tests; a
recording runner stands in for Locust's). The real session's runs are in test_engine_session.py."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from engine_helpers import wait_for
from locust.env import Environment
from test_engine_parts import RecordingRunner

from perfconsole.config import Profile
from perfconsole.engine.cardinality import EndpointFold
from perfconsole.engine.clock import RunClock
from perfconsole.engine.control import RunControl
from perfconsole.engine.notes import RunNotes
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.run_end import RunEndWatch
from perfconsole.engine.sampler import Sampler
from perfconsole.engine.workers.output import OperatorLog
from perfconsole.errors import UserError
from perfconsole.model.run import Annotation, RunState
from perfconsole.model.run_end import RunEnd


class LiveGroup:
    """``runner.greenlet`` of a runner that has not quit (Locust's group is emptied only by ``quit``)."""

    def __init__(self) -> None:
        self.size = 1

    def spawn(self, fn: Any) -> gevent.Greenlet:
        return gevent.spawn(lambda: None)

    def __len__(self) -> int:
        return self.size


class StandIn:
    """What RunControl and the Sampler use of a LoadSession, and a record of what they asked of it."""

    def __init__(self, plan: RunPlan, profile: Profile | None = None) -> None:
        self.plan, self.profile = plan, profile
        self.settings = SimpleNamespace(spike=None, runs_dir=Path(tempfile.gettempdir()))
        self.state = RunState.READY
        self.env = Environment()
        self.runner: Any = RecordingRunner()
        self.runner.stats = self.env.stats
        self.runner.state = "ready"
        self.runner.greenlet = LiveGroup()
        self.scenario = None
        self.monitor = None
        self.hdr = None
        self.lag = None  # no generator-lag watch: the sampler polls none
        self.endpoint_fold: EndpointFold | None = None
        self.local_workers = None
        self.worker_count = 0
        self.output_log = OperatorLog()
        self.clock = RunClock()
        self.notes = RunNotes(lambda: self.clock.elapsed_s)
        self.checked: list[tuple[list[Any], bool]] = []
        self.worker_watch = SimpleNamespace(
            check=lambda nodes, running: self.checked.append((list(nodes), running))
        )
        self.asked: list[str] = []
        self.run_end = RunEndWatch()
        self.control = RunControl(self)  # type: ignore[arg-type]
        self.sampler = Sampler(self)  # type: ignore[arg-type]

    @property
    def elapsed_s(self) -> float:
        return self.clock.elapsed_s

    def require_runner(self) -> Any:
        return self.runner

    def require_running(self) -> None:
        if not self.state.is_live:
            raise UserError(f"no run in progress (state: {self.state})")

    def annotate(self, text: str, kind: str = "note") -> Annotation:
        return self.notes.annotate(text, kind=kind)

    def reset_run(self) -> None:
        self.asked.append("reset_run")

    def end_run(self, end: RunEnd) -> None:
        self.asked.append(f"end_run: {end.reason}")

    def mark_stopped(self, end: RunEnd) -> None:
        self.asked.append(f"mark_stopped: {self.run_end.note(end).reason}")

    def spawn_tracked(self, fn: Any, *args: Any) -> gevent.Greenlet:
        return gevent.spawn(fn, *args)


def texts(session: StandIn) -> list[str]:
    return [a.text for a in session.notes.annotations]


def started(plan: RunPlan, profile: Profile | None = None) -> StandIn:
    session = StandIn(plan, profile)
    session.control.start()
    gevent.sleep(0.01)
    return session


def test_start_spawns_the_plans_users_and_arms_its_deadline() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=3, spawn_rate=2.0, duration_s=60))
    assert session.runner.starts == [(3, 2.0)]
    assert texts(session) == ["started: 3 users at 2/s"] and session.state == RunState.SPAWNING
    assert session.control.deadline.duration_s == 60 and session.clock.started
    assert session.asked == []  # a first run: nothing to reset


def test_users_alone_spawn_at_locusts_rate_and_a_flat_profile_at_its_own() -> None:
    alone = started(RunPlan(scenario_path=Path("s.py"), users=4))
    assert alone.runner.starts == [(4, 1.0)] and alone.control.deadline.duration_s is None
    flat = Profile(name="flat", users=6, spawn_rate=3.0, duration_s=30)
    profiled = started(RunPlan(scenario_path=Path("s.py"), profile=flat), flat)
    assert profiled.runner.starts == [(6, 3.0)] and profiled.control.deadline.duration_s == 30


def test_a_start_after_a_stop_resets_the_run_first() -> None:
    session = StandIn(RunPlan(scenario_path=Path("s.py"), users=1))
    session.state = RunState.STOPPED
    session.control.start()
    assert session.asked == ["reset_run"]


def test_live_controls_refuse_without_a_live_run() -> None:
    session = StandIn(RunPlan(scenario_path=Path("s.py"), users=1))
    for control in (lambda: session.control.set_users(3), session.control.pause, session.control.resume):
        with pytest.raises(UserError, match="no run in progress"):
            control()
    assert session.runner.starts == [] and texts(session) == []


def test_users_pause_and_resume_are_annotated_and_reach_the_runner() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=3, spawn_rate=2.0))
    session.control.set_users(5)
    gevent.sleep(0.01)
    session.control.pause()
    session.control.pause()  # paused already: nothing more
    gevent.sleep(0.01)
    session.control.resume()
    gevent.sleep(0.01)
    assert session.runner.starts == [(3, 2.0), (5, 2.0), (0, 5.0), (5, 2.0)]
    assert texts(session)[1:] == ["users 3 -> 5 at 2/s", "paused (0 users)", "resumed: 5 users at 2/s"]


def test_a_flat_profile_mid_run_sets_users_and_a_deadline_from_now() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=2, spawn_rate=2.0))
    gevent.sleep(0.1)
    before = session.clock.elapsed_s
    session.control.apply_profile(Profile(name="soak", users=8, spawn_rate=4.0, duration_s=30))
    after = session.clock.elapsed_s
    gevent.sleep(0.01)
    assert session.runner.starts[-1] == (8, 4.0) and session.profile is not None
    deadline = session.control.deadline.duration_s
    assert deadline is not None and before + 30 <= deadline <= after + 30 and before >= 0.1
    assert texts(session)[-1] == "profile -> soak"


def test_the_deadline_ends_the_run_through_the_session() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=1, duration_s=0.2))
    wait_for(lambda: bool(session.asked), 10, "the deadline")
    assert session.asked == ["end_run: duration reached"]


def test_users_of_a_lost_worker_go_to_the_survivors_at_the_target() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=4, spawn_rate=2.0))
    session.control.respawn_after_loss()
    gevent.sleep(0.01)
    assert session.runner.starts == [(4, 2.0), (4, 2.0)]


# ------------------------------------------------------------------------------------------- sampler
def test_a_tick_sees_the_runner_running_and_records_a_point() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=2))
    session.runner.state = "running"
    session.sampler.tick()
    assert session.state == RunState.RUNNING
    (point,) = session.sampler.history.points
    assert point.total_requests == 0 and point.p95_ms is None and session.sampler.history.csv_rows


def test_a_tick_ends_a_run_locust_ended_with_its_reason() -> None:
    quit_run = started(RunPlan(scenario_path=Path("s.py"), users=2))
    quit_run.runner.state = "running"
    quit_run.runner.greenlet.size = 0  # runner.quit() from the locustfile
    quit_run.sampler.tick()
    assert quit_run.asked == ["mark_stopped: the locustfile quit the runner"]
    stopped = started(RunPlan(scenario_path=Path("s.py"), users=2))
    stopped.runner.state = "stopped"
    gevent.sleep(0.01)  # the spawn greenlet (the recording runner's start) has ended
    stopped.sampler.tick()
    assert stopped.asked == ["mark_stopped: the locustfile stopped the runner"]
    going = started(RunPlan(scenario_path=Path("s.py"), users=2))
    going.runner.state = "running"
    going.sampler.tick()
    assert going.asked == []


def test_a_runner_that_quit_is_not_started_again() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=2))
    session.runner.greenlet.size = 0
    session.state = RunState.STOPPED
    with pytest.raises(UserError, match="runner has quit"):
        session.control.start()
    assert session.runner.starts == [(2, 1.0)]


def test_no_point_before_the_run_starts_and_workers_are_watched_on_a_master() -> None:
    session = StandIn(RunPlan(scenario_path=Path("s.py"), users=1))
    session.sampler.record()
    assert session.sampler.history.points == []
    node = SimpleNamespace(id="w_" + "0" * 32, state="running", heartbeat=3, user_count=0)
    session.runner.clients = {node.id: node}
    session.sampler.tick()
    assert session.checked == [([node], False)]


def test_the_endpoint_cap_warning_is_given_once() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=1))
    session.endpoint_fold = fold = EndpointFold(1)
    fold.name_for("GET", "/a")
    fold.name_for("GET", "/b")  # past the cap: folded
    heard: list[str] = []
    session.notes.status_listeners.append(heard.append)
    session.sampler.tick()
    session.sampler.tick()
    assert session.notes.warnings == (fold.warning(),) and heard == [fold.warning().text]


def test_a_sampling_error_is_logged_and_the_loop_goes_on() -> None:
    session = StandIn(RunPlan(scenario_path=Path("s.py"), users=1))
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("bad sample")

    session.sampler.tick = broken  # type: ignore[method-assign]
    loop = gevent.spawn(session.sampler.loop, 0.01)
    wait_for(lambda: len(calls) >= 2, 10, "two ticks")
    loop.kill()
    assert (
        "sampler" in session.output_log.tail(1)[0]
        and "ValueError: bad sample" in session.output_log.tail(1)[0]
    )


def test_settle_waits_for_the_users_to_stop_then_records() -> None:
    session = started(RunPlan(scenario_path=Path("s.py"), users=2))
    session.runner.user_count = 2

    def users_leave() -> None:
        gevent.sleep(0.3)
        session.runner.user_count = 0

    gevent.spawn(users_leave)
    session.sampler.settle(session.runner, timeout_s=30)
    assert session.runner.user_count == 0 and len(session.sampler.history.points) == 1
