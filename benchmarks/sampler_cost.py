"""How much CPU the resource sampler itself costs (% of one core), with 8 worker-like children and a target.

Run: ``.venv/bin/python benchmarks/sampler_cost.py [--seconds 15]`` (bounded: at most 50 s of sampling).
The demo target runs on 127.0.0.1 and is found by its port; each worker-like child keeps a loopback
connection to it and sends a light request every 200 ms. The monitor polls at 1 Hz and scrapes the
target's /metrics every 5 s; its cost is the CPU time this process spends inside ``poll()``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from perfconsole.demo_target.process import start_demo_target
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.resources.options import ResourceOptions

WORKER = """
import http.client, sys, time
port, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
while time.monotonic() < end:
    try:
        conn.request("GET", "/api/v1/health/")
        conn.getresponse().read()
    except OSError:
        conn.close()
    time.sleep(0.2)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="sampling time (1-50 s)")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 50.0)
    with start_demo_target() as target:
        children = [
            subprocess.Popen([sys.executable, "-c", WORKER, str(target.port), str(seconds + 5)])
            for _ in range(args.workers)
        ]
        try:
            options = ResourceOptions(metrics_url=target.url + "/metrics", scrape_interval_s=5.0)
            worker_pids = [child.pid for child in children]
            monitor = ResourceMonitor(options, host_url=target.url, local_worker_pids=worker_pids)
            polls, cpu_spent = 0, 0.0
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                before = time.process_time()
                update = monitor.poll()
                cpu_spent += time.process_time() - before
                polls += 1
                time.sleep(max(0.0, 1.0 - (time.process_time() - before)))
            monitor.close()
        finally:
            for child in children:
                child.kill()
                child.wait()
    sample = update.sample
    print(f"polls: {polls} over {seconds:g} s, {len(sample.local_workers)} workers, target pid {target.pid}")
    print(f"connections to target: {dict(sample.target_connections)}; scraped: {sorted(sample.metrics)}")
    print(f"sampler CPU per poll: {1000 * cpu_spent / polls:.2f} ms")
    print(f"sampler cost at 1 Hz: {100 * cpu_spent / polls:.2f} % of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
