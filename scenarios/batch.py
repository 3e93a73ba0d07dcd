"""Batch inserts: 10- and 100-item batches, each held to its own time budget.

Latency grows with batch size. Each request checks the budget itself (``catch_response``) and is
recorded as a failure when the answer is wrong or slower than allowed, so an over-budget batch shows up
in the failure count, not just in the percentiles.
"""

from locust import FastHttpUser, between, tag, task

SMALL_BATCH, SMALL_BUDGET_MS = 10, 500
LARGE_BATCH, LARGE_BUDGET_MS = 100, 1500


def batch_body(size: int) -> dict[str, list[dict[str, str]]]:
    return {"items": [{"title": f"Batch item {index}", "message": "bulk"} for index in range(size)]}


class BatchUser(FastHttpUser):
    """Posts small batches often and large batches now and then."""

    wait_time = between(0.5, 1.5)

    def post_batch(self, size: int, budget_ms: float, name: str) -> None:
        with self.client.post(
            "/api/notifications/batch/", json=batch_body(size), name=name, catch_response=True
        ) as response:
            elapsed_ms = response.request_meta["response_time"]
            if response.status_code != 201:
                response.failure(f"expected 201, got {response.status_code}")
            elif (response.json() or {}).get("created") != size:
                response.failure(f"expected {size} items created")
            elif elapsed_ms > budget_ms:
                response.failure(f"over budget: slower than {budget_ms} ms")  # one failure row per budget
            else:
                response.success()

    @tag("small")
    @task(3)
    def small_batch(self) -> None:
        self.post_batch(SMALL_BATCH, SMALL_BUDGET_MS, name="/api/notifications/batch/ [10]")

    @tag("large")
    @task(1)
    def large_batch(self) -> None:
        self.post_batch(LARGE_BATCH, LARGE_BUDGET_MS, name="/api/notifications/batch/ [100]")
