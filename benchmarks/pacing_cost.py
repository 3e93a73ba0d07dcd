"""The arrival-rate mode's own cost per iteration: no-op tasks, so that only the pacing is measured.

    .venv/bin/python benchmarks/pacing_cost.py [--seconds S] [--users U] [--rates R ...]

In this process (Locust's LocalRunner, as with `--workers 0`), U users run a task that does nothing:
1. Locust's own loop (wait_time constant(0)): the CPU per iteration of Locust's scheduling alone;
2. the same users paced by perfconsole's arrival-rate pacer at each rate R: the CPU per iteration of the
   schedule, the hand-off to an idle user and the start-lag counts.
CPU is this process's CPU time over S seconds divided by the iterations run, so a busy machine slows the
runs but barely moves the figures. Bounded: (1 + len(R)) x (S + 1.5) seconds; the defaults take 12 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import locust  # noqa: F401,I001 - first: gevent monkey-patching

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locust import User, constant, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

from perfconsole.engine.arrival.messages import GROW, REPORT, SHARE  # noqa: E402
from perfconsole.engine.arrival.pacer import ArrivalPacer  # noqa: E402
from perfconsole.engine.arrival.schedule import RateCurve  # noqa: E402

ITERATIONS = [0]


class NoopUser(User):
    wait_time = constant(0)

    @task
    def nothing(self) -> None:
        ITERATIONS[0] += 1


def measure(rate: float | None, users: int, seconds: float) -> tuple[float, float]:
    """(iterations/s, CPU µs per iteration) of ``users`` no-op users paced at ``rate`` (None: Locust's
    own loop)."""
    env = Environment(user_classes=[NoopUser], events=events)
    runner = env.create_local_runner()
    ignore: Any = lambda **_kwargs: None  # noqa: E731 - the master's side is not here
    runner.register_message(GROW, ignore)
    runner.register_message(REPORT, ignore)
    pacer = ArrivalPacer(runner)
    runner.start(users, spawn_rate=users)
    gevent.sleep(0.5)
    if rate is not None:
        runner.send_message(
            SHARE, {"curve": RateCurve.constant(rate).to_wire(), "now_s": 0.0, "ceiling": users}
        )
    gevent.sleep(0.5)
    ITERATIONS[0] = 0
    cpu0, wall0 = time.process_time(), time.monotonic()
    gevent.sleep(seconds)
    cpu, wall, done = time.process_time() - cpu0, time.monotonic() - wall0, ITERATIONS[0]
    pacer.deactivate()
    runner.quit()
    return done / wall, cpu / max(done, 1) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rates", type=float, nargs="+", default=[2_000.0, 10_000.0])
    args = parser.parse_args()
    print(f"{args.users} no-op users, {args.seconds:g} s each (load {os.getloadavg()[0]:.1f})")
    rps, cost = measure(None, args.users, args.seconds)
    print(f"  Locust's own loop:         {rps:9.0f} iterations/s, {cost:6.1f} µs CPU per iteration")
    for rate in args.rates:
        rps, cost = measure(rate, args.users, args.seconds)
        print(f"  paced at {rate:8.0f}/s:      {rps:9.0f} iterations/s, {cost:6.1f} µs CPU per iteration")
    print(f"(load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
