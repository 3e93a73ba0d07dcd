"""A worker process's set-up (worker_main's init listener) on a real Locust WorkerRunner, in a child."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_helpers import free_port

CODE = """
import locust, gc, json, sys
from locust import User, task
from locust.env import Environment
from perfconsole.engine.workers import worker_main

class Idle(User):
    @task
    def nothing(self):
        pass

port = int(sys.argv[1])
master = Environment(user_classes=[Idle]).create_master_runner("127.0.0.1", port)
env = Environment(user_classes=[Idle])
runner = env.create_worker_runner("127.0.0.1", port)
before = gc.get_freeze_count()
worker_main._record_histograms(env, runner)
runner.stats.log_request("GET", "/x", 12.5, 2)
data = {}
env.events.report_to_master.fire(client_id="w", data=data)
rows = [(r[1], r[2], sum(r[5][1::2])) for r in data["perfconsole_hdr"]["intervals"]]
print(json.dumps({"before": before, "after": gc.get_freeze_count(), "recorded": rows}))
runner.quit()
master.quit()
"""


@pytest.mark.slow
def test_a_worker_sends_its_requests_histograms_and_freezes_its_start_up_objects() -> None:
    """Like `locust --processes` workers (gc.freeze before the fork): a full collection under load never
    walks Locust's modules and the locustfile again."""
    proc = subprocess.run(
        [sys.executable, "-c", CODE, str(free_port())], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["before"] == 0
    assert found["after"] > 10_000
    assert found["recorded"] == [["GET", "/x", 1]]  # the request, in the report to the master
