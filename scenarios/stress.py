"""Stress: notifications and health at minimal think time.

Users fire requests back to back (1-10 ms waits) to find where latency bends and the DB pool queues.
Watch ``demo_db_pool_in_use`` and ``demo_queue_depth`` in the resources panel while it ramps.
"""

import random

from locust import FastHttpUser, between, task

SEEDED_IDS = range(1, 51)


class StressUser(FastHttpUser):
    """Hammers the hottest endpoints with almost no pause."""

    wait_time = between(0.001, 0.01)

    @task(5)
    def list_notifications(self) -> None:
        self.client.get("/api/notifications/?limit=20", name="/api/notifications/")

    @task(3)
    def notification_detail(self) -> None:
        self.client.get(f"/api/notifications/{random.choice(SEEDED_IDS)}/", name="/api/notifications/[id]/")

    @task(1)
    def create_notification(self) -> None:
        self.client.post(
            "/api/notifications/",
            json={"title": "Stress", "message": "no think time"},
            name="/api/notifications/",
        )

    @task(1)
    def health(self) -> None:
        self.client.get("/api/v1/health/")
