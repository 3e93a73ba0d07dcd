"""URL explosion: N unique endpoint names (default 50,000) fired as Locust request events by real worker
processes (no network: the events are fired directly, one in ten a failure with a unique message), then
the run is saved. Prints the master's peak RSS, the save time, the endpoint rows kept and the file sizes.

    .venv/bin/python benchmarks/url_explosion.py [--names 50000] [--workers 1] [--max-endpoints 500]

``--max-endpoints 100000`` shows the cost without the cap. Goal with the cap: < 150 MB RSS, < 5 s to save.
Bounded: stops when every event has been counted by the master, or after 120 s.
"""

import locust  # noqa: F401,I001  - first: gevent monkey-patching

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import gevent

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCUSTFILE = """
import itertools
import os

import gevent
from locust import User, constant, task

LIMIT = int(os.environ["EXPLOSION_NAMES"]) // int(os.environ["EXPLOSION_WORKERS"])
counter = itertools.count()


class Exploder(User):
    wait_time = constant(0)

    @task
    def fire(self):
        fire = self.environment.events.request.fire
        for _ in range(500):
            i = next(counter)
            if i >= LIMIT:
                gevent.sleep(1)
                return
            name = f"/api/notifications/{os.getpid()}-{i}/"
            error = Exception(f"404 Not Found for url {name}") if i % 10 == 0 else None
            fire(request_type="GET", name=name, response_time=5 + i % 50, response_length=100,
                 exception=error, context={})
        gevent.sleep(0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-endpoints", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for tests)")
    args = parser.parse_args()

    from perfconsole.application.recording import evaluated_result, save_session
    from perfconsole.config import default_settings
    from perfconsole.engine.plan import RunPlan
    from perfconsole.engine.session import LoadSession

    os.environ["EXPLOSION_NAMES"] = str(args.names)
    os.environ["EXPLOSION_WORKERS"] = str(args.workers)
    with tempfile.TemporaryDirectory(prefix="perfconsole-explosion-") as temp:
        locustfile = Path(temp) / "exploder.py"
        locustfile.write_text(LOCUSTFILE)
        settings = replace(default_settings(), runs_dir=Path(temp) / "runs", max_endpoints=args.max_endpoints)
        plan = RunPlan(scenario_path=locustfile, users=1, spawn_rate=1, workers=args.workers, resources=False)
        session = LoadSession(plan, settings)
        try:
            session.prepare()
            session.start()
            deadline = time.monotonic() + 120
            runner = session.runner
            assert runner is not None
            while runner.stats.total.num_requests < args.names and time.monotonic() < deadline:
                gevent.sleep(0.5)
            session.finish()
            counted = runner.stats.total.num_requests
            started = time.perf_counter()
            result = evaluated_result(session, settings)
            run_dir = save_session(session, settings, result)
            save_s = time.perf_counter() - started  # evaluating thresholds included, as at the end of a run
        finally:
            session.close()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sizes = {p.name: p.stat().st_size for p in sorted(run_dir.iterdir())}
        figures = {
            "names": args.names,
            "max_endpoints": args.max_endpoints,
            "requests_counted": counted,
            "endpoint_rows": len(result.final.endpoints),
            "other_rows": sum(1 for e in result.final.endpoints if e.name == "(other)"),
            "error_rows": len(result.final.errors),
            "threshold_entries": len(result.thresholds),
            "warnings": [w.text for w in result.warnings],
            "master_peak_rss_mb": round(rss_mb, 1),
            "save_s": round(save_s, 3),
            "files_bytes": sizes,
            "total_bytes": sum(sizes.values()),
        }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.names} unique names, cap {args.max_endpoints}, {args.workers} worker(s)")
    print(f"  requests counted:   {counted}")
    print(f"  endpoint rows:      {figures['endpoint_rows']} ({figures['other_rows']} '(other)')")
    print(f"  failure rows:       {figures['error_rows']}; threshold entries {figures['threshold_entries']}")
    print(f"  master peak RSS:    {figures['master_peak_rss_mb']} MB (goal < 150 MB)")
    print(f"  save time:          {figures['save_s']} s (goal < 5 s)")
    print(
        f"  files:              {figures['total_bytes'] / 1e6:.2f} MB in all: "
        + ", ".join(f"{name} {size / 1e3:.0f} kB" for name, size in sizes.items())
    )


if __name__ == "__main__":
    main()
