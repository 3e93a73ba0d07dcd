"""One request per iteration to one endpoint that holds a slot of the demo target's DB pool: the capacity
searches' scenario (tests/test_capacity_runs.py). ``constant_pacing(0.2)``: 5 requests/s per user in the
closed model, until the pool's queue slows each request past 0.2 s."""

from locust import FastHttpUser, constant_pacing, task


class ProductReader(FastHttpUser):
    wait_time = constant_pacing(0.2)

    @task
    def products(self) -> None:
        self.client.get("/api/products")
