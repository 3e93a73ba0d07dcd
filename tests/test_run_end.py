"""RunEndWatch alone (pure unit tests over stand-ins for Locust's runner and shape): a shape's tick probed
for its end or its error, the first end noted wins, and who ended a run Locust ended by itself."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from locust import LoadTestShape
from locust.env import Environment

from perfconsole.engine.run_end import RunEndWatch
from perfconsole.model.run_end import EndKind, RunEnd


class Steps(LoadTestShape):
    def __init__(self, ticks: list[Any]) -> None:
        super().__init__()
        self.ticks = ticks

    def tick(self) -> Any:
        value = self.ticks.pop(0)
        if isinstance(value, Exception):
            raise value
        return value


def runner(state: str = "running", greenlets: int = 2, clients: Any = None) -> Any:
    fake = SimpleNamespace(state=state, greenlet=[object()] * greenlets)
    if clients is not None:
        fake.clients = clients
    return fake


def test_the_probe_names_the_shape_that_ended_and_gives_its_tick_back() -> None:
    watch = RunEndWatch()
    shape = Steps([(2, 1.0), None])
    watch.follow(shape)
    watch.follow(shape)  # once per shape
    assert shape.tick() == (2, 1.0) and watch.end is None
    assert shape.tick() is None
    assert watch.end == RunEnd(EndKind.SHAPE, "shape Steps ended")
    assert watch.locust_end(runner(greenlets=0), workers=0) == watch.end  # the shape's end, not "quit"
    watch.release()
    assert "tick" not in vars(shape)


def test_a_raising_tick_ends_the_shape_with_its_error() -> None:
    watch = RunEndWatch()
    shape = Steps([ValueError("no\nstages")])
    watch.follow(shape)
    assert shape.tick() is None  # Locust's shape worker then ends the run as at a shape's end
    assert watch.end is not None and watch.end.failed and not watch.end.complete
    assert watch.end.reason == "shape Steps: tick() raised ValueError: no stages"  # one line


def test_who_ended_a_run_locust_ended_by_itself() -> None:
    watch = RunEndWatch()
    assert watch.locust_end(runner(), workers=0) is None  # going on
    assert watch.locust_end(runner("stopped"), workers=0, starting=True) is None  # a start under way
    assert watch.locust_end(runner("stopped"), workers=0) == RunEnd(
        EndKind.LOCUSTFILE, "the locustfile stopped the runner"
    )
    watch.reset()
    assert watch.locust_end(runner(greenlets=0), workers=0) == RunEnd(
        EndKind.LOCUSTFILE, "the locustfile quit the runner"
    )
    assert watch.note(RunEnd(EndKind.DURATION, "duration reached")).kind is EndKind.LOCUSTFILE  # first wins


def test_a_master_stopped_by_its_last_worker_quitting() -> None:
    env = Environment()
    clients: dict[str, object] = {"w1": object()}
    master = runner("stopping", clients=clients)
    watch = RunEndWatch()
    watch.attach(env, master)
    env.events.test_stopping.fire(environment=env)  # the locustfile's quit: workers still there
    assert watch.locust_end(runner(greenlets=0, clients=clients), workers=2) == RunEnd(
        EndKind.LOCUSTFILE, "the locustfile quit the runner"
    )
    watch.reset()
    clients.clear()  # each worker's quit message removed it; the last one stops the master
    env.events.test_stopping.fire(environment=env)
    assert watch.locust_end(runner(greenlets=0, clients=clients), workers=2) == RunEnd(
        EndKind.WORKERS, "all 2 worker(s) stopped by themselves"
    )
    watch.release()
    assert env.events.test_stopping._handlers == []
