"""A LoadTestShape in stages, and user classes imported from another module."""

from _users import Browser  # noqa: F401  - an imported user class: Locust runs it
from locust import LoadTestShape, events
from recorder import record


@events.test_start.add_listener
def on_test_start(environment, **kwargs):
    record(environment.runner, "test_start")


@events.test_stop.add_listener
def on_test_stop(environment, **kwargs):
    record(environment.runner, "test_stop")


class StagesShape(LoadTestShape):
    """2 users for 1.5 s, then 3 users until 3 s, then the end."""

    stages = [
        {"duration": 1.5, "users": 2, "spawn_rate": 10},
        {"duration": 3, "users": 3, "spawn_rate": 10},
    ]

    def tick(self):
        run_time = self.get_run_time()
        for stage in self.stages:
            if run_time < stage["duration"]:
                return stage["users"], stage["spawn_rate"]
        return None
