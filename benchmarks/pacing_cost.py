"""The arrival-rate mode's own cost per iteration: no-op tasks, then real requests at saturation.

    .venv/bin/python benchmarks/pacing_cost.py [--seconds S] [--users U] [--rates R ...] [--pairs P]

In this process (Locust's LocalRunner, as with `--workers 0`), U users run:
1. a task that does nothing, so that only the pacing is measured: Locust's own loop (wait_time
   constant(0)), then the same users paced by perfconsole's arrival-rate pacer at each rate R: the CPU per
   iteration of the schedule, the hand-off to an idle user and the start-lag counts;
2. with nginx on the PATH, a FastHttpUser GET to nginx on loopback, P alternating pairs: Locust's own loop
   against the pacer at a rate far beyond what the process can do, with no iteration dropped (every user
   takes the next start as it finishes, as at a sustained rate near the generator's limit): the CPU per
   request of each and their ratio (the open model at saturation; goal: within a few %).
CPU is this process's CPU time over S seconds divided by the iterations run, so a busy machine slows the
runs but barely moves the figures. Bounded: (1 + len(R) + 2 P) x (S + 1.5) seconds; the defaults take 35 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import locust  # noqa: F401,I001 - first: gevent monkey-patching

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from locust import FastHttpUser, User, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.event import Events  # noqa: E402

from perfconsole.engine.arrival import pacer as pacer_module  # noqa: E402
from perfconsole.engine.arrival.messages import GROW, REPORT, SHARE  # noqa: E402
from perfconsole.engine.arrival.pacer import ArrivalPacer  # noqa: E402
from perfconsole.engine.arrival.schedule import RateCurve  # noqa: E402

ITERATIONS = [0]
SATURATING_RATE = 100_000.0
"""Far beyond one process's requests/s: the schedule always has a start due."""


class NoopUser(User):
    wait_time = constant(0)

    @task
    def nothing(self) -> None:
        ITERATIONS[0] += 1


class PingUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def ping(self) -> None:
        self.client.get("/api/v1/health/ping")
        ITERATIONS[0] += 1


def measure(user: type[User], rate: float | None, users: int, seconds: float) -> tuple[float, float]:
    """(iterations/s, CPU µs per iteration) of ``users`` users paced at ``rate`` (None: Locust's own
    loop)."""
    env = Environment(user_classes=[user], events=Events())
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


def requests_at_saturation(users: int, seconds: float, pairs: int) -> None:
    from throughput import nginx_binary, nginx_target

    if nginx_binary() is None:
        print("  (nginx not installed: no requests measured)")
        return
    # no start is dropped however far the schedule runs ahead: only the hand-off is measured
    pacer_module.MAX_START_WAIT_S = 1e9
    ratios = []
    with nginx_target() as host:
        PingUser.host = host
        for _ in range(pairs):
            own_rps, own = measure(PingUser, None, users, seconds)
            paced_rps, paced = measure(PingUser, SATURATING_RATE, users, seconds)
            ratios.append(paced / own)
            print(
                f"  requests: Locust's own loop {own_rps:6.0f}/s, {own:5.1f} µs CPU per request; paced "
                f"at saturation {paced_rps:6.0f}/s, {paced:5.1f} µs (x {paced / own:.2f}) "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    print(f"  paced / own CPU per request, median of {pairs} pairs: {statistics.median(ratios):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rates", type=float, nargs="+", default=[2_000.0, 10_000.0])
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.users} no-op users, {args.seconds:g} s each (load {os.getloadavg()[0]:.1f})")
    rps, cost = measure(NoopUser, None, args.users, args.seconds)
    print(f"  Locust's own loop:         {rps:9.0f} iterations/s, {cost:6.1f} µs CPU per iteration")
    for rate in args.rates:
        rps, cost = measure(NoopUser, rate, args.users, args.seconds)
        print(f"  paced at {rate:8.0f}/s:      {rps:9.0f} iterations/s, {cost:6.1f} µs CPU per iteration")
    if args.pairs:
        print(f"{args.users} FastHttpUser users against nginx on loopback, {args.pairs} pairs")
        requests_at_saturation(args.users, args.seconds, args.pairs)
    print(f"(load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
