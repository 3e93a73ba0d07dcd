"""A LoadTestShape whose tick() raises after 2 s (Locust alone would keep the last tick's users forever)."""

from _common import Pinger  # noqa: F401
from locust import LoadTestShape


class Raising(LoadTestShape):
    def tick(self):
        if self.get_run_time() < 2:
            return 2, 10
        raise ValueError("stage table is empty")
