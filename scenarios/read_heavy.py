"""Read-heavy notifications: 90 % reads, 10 % writes.

The shape of a feed or dashboard backend, where caching and read replicas matter most.
"""

import random

from locust import FastHttpUser, between, tag, task

SEEDED_IDS = range(1, 51)


class ReadHeavyUser(FastHttpUser):
    """Lists and opens notifications nine times for every one it creates."""

    wait_time = between(0.2, 0.8)

    @tag("read")
    @task(50)
    def list_notifications(self) -> None:
        offset = random.choice((0, 20, 40))
        self.client.get(f"/api/notifications/?limit=20&offset={offset}", name="/api/notifications/")

    @tag("read")
    @task(40)
    def notification_detail(self) -> None:
        self.client.get(f"/api/notifications/{random.choice(SEEDED_IDS)}/", name="/api/notifications/[id]/")

    @tag("write")
    @task(10)
    def create_notification(self) -> None:
        self.client.post(
            "/api/notifications/",
            json={"title": "Read-heavy write", "message": "One write in ten"},
            name="/api/notifications/",
        )
