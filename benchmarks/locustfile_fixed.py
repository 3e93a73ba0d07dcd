"""Benchmark: a fixed-latency endpoint at a steady pace, to compare the percentiles each tool reports."""

from locust import FastHttpUser, constant, task


class FixedLatencyUser(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def dashboard(self) -> None:
        self.client.get("/api/dashboard")
