"""The session's collaborators alone (pure unit tests; a recording runner stands in for Locust's):
the run's clock and deadline, its notes, the users asked for, the shape followed and the spike drill."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from engine_helpers import wait_for

from perfconsole.config import SpikeDrill
from perfconsole.engine.clock import RunClock, RunDeadline
from perfconsole.engine.notes import RunNotes
from perfconsole.engine.shape_follower import ShapeFollower
from perfconsole.engine.spike_drill import SpikeDrills
from perfconsole.engine.user_target import UserTarget
from perfconsole.errors import UserError
from perfconsole.model.run import HistoryPoint
from perfconsole.model.run_warnings import RunWarning, WarningKind


class RecordingRunner:
    """Locust's runner as the collaborators call it: ``start`` recorded, the shape greenlet a plain slot."""

    def __init__(self) -> None:
        self.starts: list[tuple[int, float]] = []
        self.state = "running"
        self.target_user_count = 0
        self.shape_greenlet: Any = None
        self.shape_last_tick: Any = None
        self.greenlet = SimpleNamespace(spawn=lambda fn: gevent.spawn(lambda: None))

    def start(self, user_count: int, spawn_rate: float) -> None:
        self.starts.append((user_count, spawn_rate))
        self.target_user_count = user_count

    def shape_worker(self) -> None: ...


class Shape:
    """A shape as the follower reads it: a name, a stage label, a clock to reset."""

    profile_name = "steps"

    def __init__(self) -> None:
        self.resets = 0
        self.runner: Any = None

    def current_label(self) -> str:
        return "1/2 ramp"

    def reset_time(self) -> None:
        self.resets += 1


def settle() -> None:
    gevent.sleep(0.01)


# ------------------------------------------------------------------------------------------- clock, deadline
def test_clock_counts_from_start_and_freezes_at_stop() -> None:
    clock = RunClock()
    assert not clock.started and clock.elapsed_s == 0.0 and clock.started_at == 0.0
    clock.start()
    gevent.sleep(0.05)
    assert clock.started and clock.elapsed_s > 0 and clock.started_at > 0 and clock.ended_at == 0.0
    clock.stop()
    frozen = clock.elapsed_s
    gevent.sleep(0.05)
    assert clock.elapsed_s == frozen and clock.ended_at >= clock.started_at
    clock.start()  # a new run: counting again, no end
    assert clock.ended_at == 0.0 and clock.elapsed_s < frozen


def test_deadline_fires_once_when_the_clock_gets_there_and_cancel_stops_it() -> None:
    clock, reached = RunClock(), []
    deadline = RunDeadline(clock, lambda: reached.append(clock.elapsed_s))
    clock.start()
    deadline.arm(0.2)
    assert deadline.duration_s == 0.2
    wait_for(lambda: bool(reached), 10, "the deadline")
    assert reached[0] >= 0.2
    deadline.arm(60)
    deadline.cancel()
    gevent.sleep(0.1)
    assert len(reached) == 1 and deadline.duration_s == 60  # cancelled, the duration stays


def test_deadline_without_a_duration_never_fires() -> None:
    clock, reached = RunClock(), []
    deadline = RunDeadline(clock, lambda: reached.append(1))
    clock.start()
    deadline.arm(None)
    gevent.sleep(0.1)
    assert reached == [] and deadline.duration_s is None


# ------------------------------------------------------------------------------------------- notes
def test_notes_annotate_at_the_clock_and_tell_listeners() -> None:
    notes, heard, status = RunNotes(lambda: 12.34), [], []
    notes.listeners.append(heard.append)
    notes.status_listeners.append(status.append)
    note = notes.annotate("users   2 ->\n 4", kind="users")
    assert (note.elapsed_s, note.text, note.kind) == (12.3, "users 2 -> 4", "users")
    notes.announce("worker lost", "worker")
    assert [a.text for a in heard] == ["users 2 -> 4", "worker lost"] and status == ["worker lost"]
    assert notes.annotations == tuple(heard)


def test_notes_keep_each_warning_once_until_cleared() -> None:
    notes = RunNotes(lambda: 0.0)
    warning = RunWarning(WarningKind.ENDPOINT_CAP, "too many names")
    assert notes.warn(warning) and not notes.warn(warning)
    notes.annotate("x")
    assert notes.warnings == (warning,)
    notes.clear()
    assert notes.warnings == () and notes.annotations == ()


# ------------------------------------------------------------------------------------------- user target
def test_user_target_spawns_through_the_runner_and_keeps_the_highest() -> None:
    runner = RecordingRunner()
    target = UserTarget(lambda: runner)
    target.spawn(5, 2.0)
    assert target.spawning
    settle()
    target.spawn(3, 1.0)
    settle()
    assert runner.starts == [(5, 2.0), (3, 1.0)]
    assert (target.users, target.spawn_rate, target.max_users) == (3, 1.0, 5)
    assert not target.spawning


def test_pause_drops_to_zero_and_resume_goes_back() -> None:
    runner = RecordingRunner()
    target = UserTarget(lambda: runner)
    target.spawn(4, 2.0)
    assert target.pause() and target.paused
    assert not target.pause()  # paused already
    settle()
    assert runner.starts[-1] == (0, 4.0)  # as fast as the users went up (at least the rate)
    assert target.resume() == (4, 2.0) and not target.paused
    settle()
    assert runner.starts[-1] == (4, 2.0)
    assert target.resume() is None


def test_a_new_target_forgets_the_pause_and_a_new_run_the_highest() -> None:
    target = UserTarget(RecordingRunner)
    target.spawn(7, 1.0)
    target.pause()
    target.forget_pause()
    assert not target.paused and target.resume() is None
    target.reset()
    assert target.max_users == 0
    target.kill()
    assert not target.spawning


def test_a_newer_target_kills_the_older_spawn() -> None:
    slow: list[int] = []

    class SlowRunner(RecordingRunner):
        def start(self, user_count: int, spawn_rate: float) -> None:
            gevent.sleep(1)
            slow.append(user_count)

    target = UserTarget(SlowRunner)
    target.spawn(10, 1.0)
    settle()
    target.spawn(2, 1.0)
    wait_for(lambda: slow == [2], 10, "the newer start")
    gevent.sleep(0.1)
    assert slow == [2]


# ------------------------------------------------------------------------------------------- shape follower
def attached_follower() -> tuple[ShapeFollower, Any, RecordingRunner, list[tuple[str, str]]]:
    notes: list[tuple[str, str]] = []
    follower = ShapeFollower(lambda text, kind: notes.append((text, kind)))
    env, runner = SimpleNamespace(shape_class=None), RecordingRunner()
    follower.attach(env, runner)  # type: ignore[arg-type]
    return follower, env, runner, notes


def test_follower_without_a_shape_has_no_stage_until_the_operator_took_over() -> None:
    follower = ShapeFollower(lambda text, kind: None)
    assert follower.shape is None and follower.title is None and follower.stage_label() is None
    assert follower.leave("users") is None
    with pytest.raises(RuntimeError):
        follower.follow(Shape())  # type: ignore[arg-type]


def test_follower_follows_a_shape_mid_run_and_names_its_stage() -> None:
    follower, env, runner, _notes = attached_follower()
    shape = Shape()
    follower.follow(shape)  # type: ignore[arg-type]
    assert env.shape_class is shape and shape.runner is runner and shape.resets == 1
    assert follower.title == "steps" and follower.stage_label() == "1/2 ramp"
    assert follower.stage_key_label() == "1/2 ramp"
    follower.follow(shape, reset_clock=False)  # type: ignore[arg-type]
    assert shape.resets == 1


def test_the_tail_after_a_shapes_last_stage_stays_in_that_stage() -> None:
    # the shape's tick ends the run, but the stop comes a poll or (on a busy box) seconds later: the requests
    # of that tail belong to the last stage, never to a stage named after the shape's class
    follower, _env, runner, _notes = attached_follower()
    shape = Shape()
    follower.follow(shape)  # type: ignore[arg-type]
    assert follower.stage_key_label() == "1/2 ramp"
    shape.current_label = lambda: None  # type: ignore[method-assign]
    runner.target_user_count = 3
    assert follower.stage_key_label() == "1/2 ramp"
    other = Shape()
    other.current_label = lambda: None  # type: ignore[method-assign]
    follower.follow(other)  # type: ignore[arg-type]
    assert follower.stage_key_label() == "Shape: 3 users"  # another shape's stage is not carried over


def test_leaving_by_a_control_annotates_and_makes_the_run_manual() -> None:
    follower, env, runner, notes = attached_follower()
    follower.follow(Shape())  # type: ignore[arg-type]
    runner.target_user_count = 6
    assert follower.leave("pause") == 6
    assert env.shape_class is None and runner.shape_greenlet is None
    assert notes == [("left shape steps (1/2 ramp): manual control by pause", "profile")]
    assert follower.manual and follower.stage_label() == "manual"


def test_leaving_without_a_control_is_silent() -> None:
    follower, env, _runner, notes = attached_follower()
    follower.follow(Shape())  # type: ignore[arg-type]
    follower.leave()
    assert notes == [] and not follower.manual and follower.stage_label() is None


# ------------------------------------------------------------------------------------------- spike drill
def point(elapsed_s: float, p95: float) -> HistoryPoint:
    return HistoryPoint(
        elapsed_s=elapsed_s,
        timestamp=elapsed_s,
        user_count=2,
        rps=10.0,
        fail_per_sec=0.0,
        p50_ms=p95 / 2,
        p95_ms=p95,
        p99_ms=p95,
        total_requests=int(elapsed_s * 10),
        total_failures=0,
    )


def test_a_drill_jumps_and_comes_back_then_awaits_its_verdict() -> None:
    runner, clock = RecordingRunner(), RunClock()
    notes = RunNotes(lambda: clock.elapsed_s)
    target = UserTarget(lambda: runner)
    follower = ShapeFollower(lambda text, kind: notes.annotate(text, kind))
    drills = SpikeDrills(target, follower, notes, clock, lambda: True)
    clock.start()
    target.spawn(2, 1.0)
    drills.fire(SpikeDrill(users=9, spawn_rate=30.0, duration_s=0.1))
    with pytest.raises(UserError, match="already running"):
        drills.fire(SpikeDrill(users=9, spawn_rate=30.0, duration_s=0.1))
    wait_for(lambda: not drills.running, 10, "the drill's end")
    settle()
    assert runner.starts == [(2, 1.0), (9, 30.0), (2, 30.0)]
    assert [a.text for a in notes.annotations] == [
        "spike drill: 2 -> 9 users at 30/s for 0.1s",
        "spike drill over: back to 2 users",
    ]
    assert drills.awaiting_verdict and drills.verdict is None
    drills.reset()
    assert not drills.awaiting_verdict


def test_a_drill_ended_by_the_run_sets_no_window() -> None:
    runner, clock = RecordingRunner(), RunClock()
    notes = RunNotes(lambda: clock.elapsed_s)
    target = UserTarget(lambda: runner)
    drills = SpikeDrills(target, ShapeFollower(lambda t, k: None), notes, clock, lambda: False)
    drills.fire(SpikeDrill(users=3, spawn_rate=3.0, duration_s=0.05))
    wait_for(lambda: not drills.running, 10, "the drill's end")
    assert not drills.awaiting_verdict and len(notes.annotations) == 1


def test_the_verdict_is_given_once_from_the_history() -> None:
    runner, clock = RecordingRunner(), RunClock()
    notes = RunNotes(lambda: clock.elapsed_s)
    drills = SpikeDrills(
        UserTarget(lambda: runner), ShapeFollower(lambda t, k: None), notes, clock, lambda: True
    )
    drills.check([])  # no drill yet: nothing to judge
    assert drills.verdict is None and notes.annotations == ()
    clock.start()
    drills.fire(SpikeDrill(users=3, spawn_rate=3.0, duration_s=0.05))
    wait_for(lambda: drills.awaiting_verdict, 10, "the drill's end")
    history = [point(t / 10, 20.0) for t in range(0, 2000)]  # steady before and long after
    drills.check(history)
    assert drills.verdict is not None and not drills.awaiting_verdict
    verdict_notes = [a.text for a in notes.annotations if a.text.startswith("drill verdict")]
    drills.check(history)
    assert verdict_notes == [a.text for a in notes.annotations if a.text.startswith("drill verdict")]
    assert len(verdict_notes) == 1


# ------------------------------------------------------------------------------------------- worker loss
def node(node_id: str, state: str = "running", heartbeat: int = 3, users: int = 2) -> SimpleNamespace:
    return SimpleNamespace(id=node_id, state=state, heartbeat=heartbeat, user_count=users)


def test_a_silent_worker_is_flagged_once_and_its_users_respawned_once_missing() -> None:
    from perfconsole.engine.workers.loss import WorkerLossWatch

    said: list[tuple[str, str]] = []
    warned: list[RunWarning] = []
    respawns: list[int] = []
    watch = WorkerLossWatch(
        lambda line, kind: said.append((line, kind)), warned.append, lambda: respawns.append(1)
    )
    a, b = "box-a_" + "a" * 32, "box-b_" + "b" * 32
    watch.check([node(a), node(b, heartbeat=0)], running=True)
    watch.check([node(a), node(b, heartbeat=-1)], running=True)  # still silent: not flagged again
    assert [kind for _line, kind in said] == ["worker"] and "on host box-b" in said[0][0]
    assert "1 worker(s) left" in said[0][0] and len(warned) == 1 and respawns == []
    assert watch.thresholds()[0].passed is False and watch.lost_total == 1
    watch.check([node(a), node(b, state="missing", heartbeat=-1)], running=True)
    watch.check([node(a), node(b, state="missing", heartbeat=-1)], running=True)
    assert respawns == [1] and said[-1] == ("users of 1 lost worker(s) re-spawned on 1 survivor(s)", "users")
    watch.check([node(a), node(b)], running=True)
    assert said[-1] == (f"worker back: {b} on host box-b", "worker") and watch.thresholds() == ()
    watch.reset()
    assert watch.lost_total == 0


def test_no_respawn_when_the_run_is_not_live() -> None:
    from perfconsole.engine.workers.loss import WorkerLossWatch

    respawns: list[int] = []
    watch = WorkerLossWatch(lambda line, kind: None, lambda warning: None, lambda: respawns.append(1))
    watch.check([node("a_" + "a" * 32), node("b_" + "b" * 32, state="missing", heartbeat=-1)], running=False)
    assert respawns == [] and watch.lost == {"b_" + "b" * 32: "b"}
