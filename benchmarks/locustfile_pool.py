"""Benchmark: one request per iteration to the demo target's DB-pool endpoint (the capacity search's case)."""

from locust import FastHttpUser, constant_pacing, task


class ProductReader(FastHttpUser):
    wait_time = constant_pacing(0.2)

    @task
    def products(self) -> None:
        self.client.get("/api/products")
