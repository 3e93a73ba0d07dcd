"""The console's per-poll work at many endpoints, in process and on a simulated clock: CPU milliseconds a
poll spends on the snapshot's endpoints, the sampler's endpoint steps, the table rows in view and the
per-endpoint history, and a report's merge.

    .venv/bin/python benchmarks/frame_cost.py [--endpoints 500] [--rps 300] [--seconds 60] [--root DIR]

A master's state is fed as one worker feeds it (``--rps`` requests a second spread over the endpoint
names; every 3 s a report with Locust's stats and the histograms, merged by Locust's listener and
perfconsole's); each simulated second then does what a poll of
the console does. Thread CPU time, so a busy machine barely moves it; ``--root`` measures another checkout
(e.g. ``/work/main``) with this same harness, for a paired before/after. Pure CPU, a few seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from unittest.mock import patch

VIEW_ROWS = 30
"""Rows a poll reads: a 120x40 table's rows in view and its margin."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=500)
    parser.add_argument("--rps", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--settle", type=int, default=15)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, args.root)
    costs = run(args.endpoints, args.rps, args.settle, args.seconds)
    polls = args.seconds
    print(f"{args.endpoints} endpoints, {args.rps} req/s, {polls} polls ({args.root}):")
    for part, seconds in costs.items():
        print(f"  {part:<22} {seconds / polls * 1000:7.2f} ms a poll")
    print(f"  {'all':<22} {sum(costs.values()) / polls * 1000:7.2f} ms a poll")
    return 0


def run(endpoints: int, rps: int, settle: int, seconds: int) -> dict[str, float]:
    import locust  # noqa: F401 - gevent first, as in every entry point
    from locust.env import Environment
    from locust.stats import RequestStats, setup_distributed_stats_event_listeners

    from perfconsole.config.loader import default_settings
    from perfconsole.engine.endpoint_steps import endpoint_rows
    from perfconsole.engine.hdr.codec import WIRE_KEY, wire_payload
    from perfconsole.engine.hdr.hooks import HdrStats
    from perfconsole.engine.hdr.recorder import IntervalRecorder
    from perfconsole.engine.stats_view import all_endpoints
    from perfconsole.model.run import RunSnapshot, RunState
    from perfconsole.tui.views.endpoint_history import EndpointHistory
    from perfconsole.tui.views.table import threshold_breaches

    try:  # rows formatted as read (where the checkout has them): a poll reads the rows in view
        from perfconsole.tui.views.table import lazy_table_rows as table_rows
    except ImportError:
        from perfconsole.tui.views.table import table_rows  # type: ignore[assignment]

    clock = [1_000_000.0]
    rng = random.Random(1)
    names = [f"/api/v1/items/{number:04d}/" for number in range(endpoints)]
    parts = ("merge", "snapshot endpoints", "endpoint steps", "table rows", "endpoint history")
    costs = dict.fromkeys(parts, 0.0)
    with patch("time.time", lambda: clock[0]):
        stats, worker = RequestStats(), RequestStats(use_response_times_cache=False)
        environment = Environment()
        setup_distributed_stats_event_listeners(environment.events, stats)  # Locust's master merge
        hdr = HdrStats(environment, stats, local=False)
        recorder = IntervalRecorder(clock=lambda: clock[0])
        history = EndpointHistory()
        breaches = threshold_breaches(default_settings(), None)
        sent = 0
        for second in range(settle + seconds):
            base = 1_000_000.0 + second
            for i in range(rps):
                clock[0] = base + i / rps
                name, response_ms = names[sent % endpoints], rng.lognormvariate(0.5, 0.6)
                sent += 1
                worker.log_request("GET", name, response_ms, 120)
                recorder.record("GET", name, response_ms)
            clock[0] = base + 0.999
            measured = second >= settle
            if second % 3 == 2:  # a worker's report, as Locust's worker builds it, and the master's merge
                data = {
                    "stats": worker.serialize_stats(),
                    "stats_total": worker.total.get_stripped_report(),
                    "errors": worker.serialize_errors(),
                    WIRE_KEY: wire_payload(recorder.drain()),
                }
                start = time.thread_time()
                environment.events.worker_report.fire(client_id="worker", data=data)
                costs["merge"] += (time.thread_time() - start) * measured
            if not measured:
                continue
            start = time.thread_time()
            rows, total = all_endpoints(stats, hdr)
            costs["snapshot endpoints"] += time.thread_time() - start
            if second % 5 == 0:
                start = time.thread_time()
                endpoint_rows(stats, hdr, float(second))
                costs["endpoint steps"] += time.thread_time() - start
            snapshot = RunSnapshot(RunState.RUNNING, float(second), 30, 30, 30.0, "", rows, total)
            start = time.thread_time()
            history.record(snapshot)
            costs["endpoint history"] += time.thread_time() - start
            if second % 3 == 0:  # the table waits for new figures (a report every 3 s)
                start = time.thread_time()
                rows = table_rows(snapshot, True, breaches)
                for index in range(min(len(rows), VIEW_ROWS)):
                    rows[index]
                costs["table rows"] += time.thread_time() - start
    return costs


if __name__ == "__main__":
    sys.exit(main())
