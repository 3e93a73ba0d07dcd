"""Write-heavy notifications: 30 % reads, 70 % writes.

An ingestion workload: creating and updating dominate, which stresses locks and the DB pool.
"""

import random

from locust import FastHttpUser, between, tag, task

SEEDED_IDS = range(1, 51)


class WriteHeavyUser(FastHttpUser):
    """Creates and marks notifications read far more often than it reads them."""

    wait_time = between(0.2, 0.8)

    @tag("read")
    @task(15)
    def list_notifications(self) -> None:
        self.client.get("/api/notifications/?limit=20", name="/api/notifications/")

    @tag("read")
    @task(15)
    def notification_detail(self) -> None:
        self.client.get(f"/api/notifications/{random.choice(SEEDED_IDS)}/", name="/api/notifications/[id]/")

    @tag("write")
    @task(40)
    def create_notification(self) -> None:
        self.client.post(
            "/api/notifications/",
            json={"title": "Write-heavy", "message": "Ingested by the write-heavy scenario"},
            name="/api/notifications/",
        )

    @tag("write")
    @task(30)
    def mark_read(self) -> None:
        self.client.patch(
            f"/api/notifications/{random.choice(SEEDED_IDS)}/read/", name="/api/notifications/[id]/read/"
        )
