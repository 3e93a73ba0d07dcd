"""Benchmark: as many requests as possible to a cheap endpoint (no wait time)."""

from locust import FastHttpUser, task


class PingUser(FastHttpUser):
    @task
    def ping(self) -> None:
        self.client.get("/api/v1/health/ping")
