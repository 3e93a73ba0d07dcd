"""Cost of exact percentiles: recording in a worker, merging on the master.

    .venv/bin/python benchmarks/hdr_cost.py [--requests N] [--endpoints E] [--rate R]

1. recording: microseconds per request of perfconsole's recorder, next to Locust's own stats on the same
   requests, and the cost of draining one report; then a worker's whole per-request path (Locust's
   ``request`` event into its stats) bare and with perfconsole's worker hooks;
2. merge: one master merging reports from 2 and 8 workers, each carrying E endpoints (default 100) and
   3 seconds of requests (R req/s per endpoint per worker), through msgpack as Locust sends them:
   milliseconds per report and the master's CPU share at Locust's 3 s report interval.
The throughput ratio against plain Locust is ``benchmarks/throughput.py`` (run.sh runs both).
Pure CPU, no network; takes a few seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import locust  # noqa: E402,F401  - gevent first, as in every entry point
import msgpack  # noqa: E402
from locust.stats import RequestStats, StatsEntry  # noqa: E402

from perfconsole.engine.hdr.codec import parse_payload, wire_payload  # noqa: E402
from perfconsole.engine.hdr.merge import TOTAL, HdrAggregator  # noqa: E402
from perfconsole.engine.hdr.recorder import IntervalRecorder  # noqa: E402
from perfconsole.engine.locust.stats import correct_entry  # noqa: E402

REPORT_INTERVAL_S = 3


def latencies(rng: random.Random, count: int) -> list[float]:
    return [rng.lognormvariate(3.5, 0.7) for _ in range(count)]


def bench_recording(requests: int, endpoints: int) -> None:
    rng = random.Random(1)
    values = latencies(rng, requests)
    names = [f"/api/item/{i % endpoints}" for i in range(requests)]
    clock_values = iter(range(10**12))
    recorder = IntervalRecorder(clock=lambda: 1_000_000 + next(clock_values) // 2000)
    start = time.perf_counter()
    for name, value in zip(names, values, strict=True):
        recorder.on_request("GET", name, value, 0, None)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    payload = wire_payload(recorder.drain())
    drain = time.perf_counter() - start
    stats = RequestStats(use_response_times_cache=False)
    start = time.perf_counter()
    for name, value in zip(names, values, strict=True):
        stats.log_request("GET", name, value, 0)
    theirs = time.perf_counter() - start
    size = len(msgpack.packb(payload))
    per_request, locust_per_request = ours / requests * 1e6, theirs / requests * 1e6
    print(f"recording: {per_request:.2f} us/request (Locust's own stats: {locust_per_request:.2f})")
    print(
        f"drain + encode of {requests} requests over {endpoints} endpoints: {drain * 1e3:.1f} ms, "
        f"{size / 1024:.0f} KiB on the wire"
    )


def bench_worker_path(requests: int) -> None:
    """A worker's whole per-request path: Locust's ``request`` event into its stats, bare and with the hooks a
    perfconsole worker installs (the endpoint fold's stats wrapper, which records into the histograms)."""
    from locust import User, task
    from locust.env import Environment

    from perfconsole.engine.cardinality import EndpointFold, fold_request_stats

    class Idle(User):
        @task
        def nothing(self) -> None:
            pass

    def per_request(hooked: bool) -> float:
        environment = Environment(user_classes=[Idle])
        runner = environment.create_local_runner()
        if hooked:
            fold_request_stats(runner.stats, EndpointFold(), IntervalRecorder())
        fire = environment.events.request.fire
        start = time.process_time()
        for _ in range(requests):
            fire(
                request_type="GET",
                name="/api/v1/health/ping",
                response_time=2.345,
                response_length=2,
                exception=None,
                context={},
                url="http://127.0.0.1/api/v1/health/ping",
                start_time=0.0,
                response=None,
            )
        return (time.process_time() - start) / requests * 1e6

    bare = min(per_request(False) for _ in range(3))
    hooked = min(per_request(True) for _ in range(3))
    print(
        f"worker path: Locust's request event {bare:.2f} us/request, with perfconsole's worker hooks "
        f"{hooked:.2f} (+{hooked - bare:.2f} us; a FastHttpUser request costs a worker about 100 us in all)"
    )


def worker_report(
    rng: random.Random, endpoints: int, rate: int, first_second: int
) -> tuple[bytes, list[dict]]:
    """One worker's report (msgpack bytes as on the wire) and Locust's serialized entries for it."""
    recorder = IntervalRecorder()
    locust_stats = RequestStats(use_response_times_cache=False)
    for second in range(first_second, first_second + REPORT_INTERVAL_S):
        recorder._clock = lambda s=second: s + 0.5  # type: ignore[misc]
        for endpoint in range(endpoints):
            for value in latencies(rng, rate):
                recorder.record("GET", f"/api/item/{endpoint}", value)
                locust_stats.log_request("GET", f"/api/item/{endpoint}", value, 0)
    data = {"hdr": wire_payload(recorder.drain()), "stats": locust_stats.serialize_stats()}
    return msgpack.packb(data), data["stats"]


def bench_merge(workers: int, endpoints: int, rate: int, rounds: int = 3) -> None:
    rng = random.Random(workers)
    reports = [
        worker_report(rng, endpoints, rate, 1_000_000 + r * REPORT_INTERVAL_S)[0]
        for r in range(rounds)
        for _ in range(workers)
    ]
    aggregator = HdrAggregator(window_s=10)
    master = RequestStats()
    for endpoint in range(endpoints):
        master.entries[(f"/api/item/{endpoint}", "GET")] = StatsEntry(master, f"/api/item/{endpoint}", "GET")
    start = time.perf_counter()
    for raw in reports:
        data = msgpack.unpackb(raw, strict_map_key=False)
        merged = aggregator.merge_wire(parse_payload(data["hdr"]))
        for entry_data in data["stats"]:
            key = (entry_data["method"], entry_data["name"])
            correct_entry(master.entries[(key[1], key[0])], entry_data["response_times"], merged.pop(key, {}))
        correct_entry(master.total, {}, merged.pop(TOTAL, {}))
    elapsed = time.perf_counter() - start
    per_report = elapsed / len(reports)
    share = per_report * workers / REPORT_INTERVAL_S
    start = time.perf_counter()
    for endpoint in range(endpoints):
        aggregator.cumulative(("GET", f"/api/item/{endpoint}"))
        aggregator.current(("GET", f"/api/item/{endpoint}"), 1_000_000 + rounds * REPORT_INTERVAL_S)
    read = time.perf_counter() - start
    print(
        f"merge, {workers} workers x {endpoints} endpoints x {rate} req/s each: {per_report * 1e3:.1f} ms "
        f"per report, {share:.1%} of the master's CPU; all percentiles (run + window) read in "
        f"{read * 1e3:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--rate", type=int, default=20, help="req/s per endpoint per worker in the merge")
    args = parser.parse_args()
    bench_recording(args.requests, args.endpoints)
    bench_worker_path(args.requests)
    for workers in (2, 8):
        bench_merge(workers, args.endpoints, args.rate)


if __name__ == "__main__":
    main()
