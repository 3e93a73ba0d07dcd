"""Tasks that take longer than the run's end: --stop-timeout lets them finish."""

import os
import time

from locust import HttpUser, constant, events, task
from recorder import record


@events.test_stop.add_listener
def on_test_stop(environment, **kwargs):
    record(environment.runner, "test_stop")


class Slow(HttpUser):
    host = os.environ["DROPIN_HOST"]
    wait_time = constant(0)

    @task
    def slow(self):
        record(self.environment.runner, "task started")
        self.client.get("/api/v1/health/")
        time.sleep(2.5)  # gevent's: longer than the run, every user is mid-task when it ends
        record(self.environment.runner, "task finished")
