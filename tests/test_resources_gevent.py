"""ResourceMonitor.run in a gevent greenlet of a Locust-patched process: it samples and lets others run.

Runs in a child interpreter, because ``import locust`` monkey-patches the whole process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import locust  # first: gevent monkey-patching
    import json, sys, time
    import gevent
    from gevent.event import Event
    from http.server import HTTPServer, BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"demo_queue_depth 3\\ndemo_db_pool_in_use 1\\ndemo_db_pool_size 4\\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass

    from perfconsole.resources.monitor import ResourceMonitor
    from perfconsole.resources.options import ResourceOptions

    server = HTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    serving = gevent.spawn(server.serve_forever, 0.05)
    monitor = ResourceMonitor(
        ResourceOptions(metrics_url=url + "/metrics", scrape_interval_s=0.2, sample_interval_s=0.2),
        host_url=url,
    )
    stop = Event()
    updates = []
    ticks = [0]

    def other_greenlet():
        while not stop.is_set():
            ticks[0] += 1
            gevent.sleep(0.02)

    greenlets = [gevent.spawn(monitor.run, stop, on_update=updates.append), gevent.spawn(other_greenlet)]
    gevent.sleep(1.5)
    stop.set()
    gevent.joinall(greenlets, timeout=5)
    server.shutdown()
    serving.join(5)
    last = updates[-1].sample
    print(json.dumps({
        "updates": len(updates),
        "ticks": ticks[0],
        "target_is_self": monitor.target is not None and monitor.target.pid == __import__("os").getpid(),
        "queue_depth": last.metrics.get("queue_depth"),
        "done": all(g.dead for g in greenlets),
    }))
    """
)


@pytest.mark.slow
def test_run_loop_in_a_greenlet_samples_scrapes_and_yields() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["done"] is True
    assert result["updates"] >= 3
    assert result["ticks"] >= 10  # the other greenlet kept running between samples
    assert result["target_is_self"] is True  # found by port: this process serves the page
    assert result["queue_depth"] == 3.0
