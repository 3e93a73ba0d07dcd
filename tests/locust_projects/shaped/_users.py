"""User classes in a module that is not a locustfile (a leading underscore: Locust skips it in a dir)."""

from locust import HttpUser, constant, task
from recorder import record


class Browser(HttpUser):
    wait_time = constant(0.2)

    def on_start(self):
        record(self.environment.runner, "user Browser")

    @task
    def index(self):
        self.client.get("/api/v1/health/database")
