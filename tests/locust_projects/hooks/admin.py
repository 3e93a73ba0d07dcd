"""A second locustfile of the same run: a fixed_count user class with its own host."""

import os

from locust import HttpUser, constant, tag, task
from recorder import record


class Admin(HttpUser):
    host = os.environ["DROPIN_HOST"]
    fixed_count = 1
    wait_time = constant(0.2)

    def on_start(self):
        record(self.environment.runner, "user Admin")

    @tag("read")
    @task
    def ping(self):
        self.client.get("/api/v1/health/ping")
