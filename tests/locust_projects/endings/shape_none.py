"""A LoadTestShape that ends the run: 2 users for 3 s, then tick() returns None (Locust's shape examples)."""

from _common import Pinger  # noqa: F401
from locust import LoadTestShape


class TwoThenNone(LoadTestShape):
    def tick(self):
        return (2, 10) if self.get_run_time() < 3 else None
