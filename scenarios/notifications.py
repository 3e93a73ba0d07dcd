"""Notifications inbox: list, detail, create, mark read (3/2/1/1).

A mobile client polling its inbox: mostly reads, some writes. Ids are grouped in the stats as
``/api/notifications/[id]/`` so each endpoint is one row however many ids are used.
Run it: ``perfconsole run scenarios/notifications.py`` (no --host: the demo target is started for you).
"""

import random

from locust import FastHttpUser, between, tag, task

SEEDED_IDS = range(1, 51)
"""Notifications that always exist on the demo target."""


class NotificationsUser(FastHttpUser):
    """Reads its inbox, opens a notification, sometimes creates one or marks one read."""

    wait_time = between(0.5, 1.5)

    @tag("read")
    @task(3)
    def list_notifications(self) -> None:
        self.client.get("/api/notifications/?limit=20", name="/api/notifications/")

    @tag("read")
    @task(2)
    def notification_detail(self) -> None:
        self.client.get(f"/api/notifications/{random.choice(SEEDED_IDS)}/", name="/api/notifications/[id]/")

    @tag("write")
    @task(1)
    def create_notification(self) -> None:
        self.client.post(
            "/api/notifications/",
            json={"title": "Load test", "message": "Created by the notifications scenario"},
            name="/api/notifications/",
        )

    @tag("write")
    @task(1)
    def mark_read(self) -> None:
        self.client.patch(
            f"/api/notifications/{random.choice(SEEDED_IDS)}/read/", name="/api/notifications/[id]/read/"
        )
