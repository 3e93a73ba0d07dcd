"""Every lifecycle hook writes to a file; quitting sets the exit code; tags; a class-level host."""

import os

from locust import HttpUser, between, events, tag, task
from recorder import record  # the shared helper (tests/locust_projects on PYTHONPATH)

RUNNER = {}


@events.init.add_listener
def on_init(environment, runner, **kwargs):
    RUNNER["runner"] = runner
    record(runner, "init")
    print(f"hooks.py: init in pid {os.getpid()}", flush=True)


@events.test_start.add_listener
def on_test_start(environment, **kwargs):
    record(environment.runner, "test_start")


@events.test_stop.add_listener
def on_test_stop(environment, **kwargs):
    record(environment.runner, "test_stop")


@events.quitting.add_listener
def on_quitting(environment, **kwargs):
    record(environment.runner, "quitting")
    environment.process_exit_code = 3


@events.quit.add_listener
def on_quit(exit_code, **kwargs):
    record(RUNNER.get("runner"), f"quit {exit_code}")


class Reader(HttpUser):
    host = os.environ["DROPIN_HOST"]
    wait_time = between(0.1, 0.2)

    def on_start(self):
        record(self.environment.runner, "user Reader")

    @tag("read")
    @task
    def health(self):
        self.client.get("/api/v1/health/")

    @tag("write")
    @task
    def write(self):
        self.client.post("/api/notifications/", json={"title": "never sent: excluded by --tags"})
