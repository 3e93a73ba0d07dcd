"""A user class and the hooks every locustfile of this directory shares (a leading underscore: Locust
does not load it as a locustfile)."""

import os
import time

from locust import HttpUser, constant, events, task
from locust.runners import WorkerRunner
from recorder import record

RUNNER = {}


@events.init.add_listener
def on_init(environment, runner, **kwargs):
    RUNNER["runner"] = runner
    record(runner, "init")


@events.test_start.add_listener
def on_test_start(environment, **kwargs):
    record(environment.runner, "test_start")
    if not isinstance(environment.runner, WorkerRunner):  # when the load began, for the timing comparison
        with open(os.environ["DROPIN_LOG"] + ".started", "a") as started:
            started.write(f"{time.time()}\n")


@events.test_stop.add_listener
def on_test_stop(environment, **kwargs):
    record(environment.runner, "test_stop")


@events.quitting.add_listener
def on_quitting(environment, **kwargs):
    record(environment.runner, "quitting")


@events.quit.add_listener
def on_quit(exit_code, **kwargs):
    record(RUNNER.get("runner"), f"quit {exit_code}")


class Pinger(HttpUser):
    host = os.environ["DROPIN_HOST"]
    wait_time = constant(0.1)

    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
