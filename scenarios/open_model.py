"""Open-model storefront traffic: one request an iteration, for arrival-rate runs.

Real visitors arrive at a rate, whatever the answers do. Run it at a rate (each @task call is one
iteration; the wait_time below is used only when the scenario runs as Locust's closed-model users):

    perfconsole run --headless --scenario open_model --arrival-rate 200 -u 10 --max-users 100 -t 1m
    perfconsole run --headless --scenario open_model --load-profile open-spike

Watch the start lag, the dropped iterations and the latency from the scheduled start grow when the
target slows down, instead of the offered load quietly falling.
"""

import random

from locust import FastHttpUser, between, task

PRODUCT_IDS = range(1, 21)


class StorefrontVisitor(FastHttpUser):
    """Browses the catalogue and now and then checks its notifications: one request a visit."""

    wait_time = between(0.5, 1.5)

    @task(6)
    def browse_products(self) -> None:
        self.client.get("/api/products")

    @task(3)
    def view_product(self) -> None:
        self.client.get(f"/api/products/{random.choice(PRODUCT_IDS)}", name="/api/products/[id]")

    @task(1)
    def notifications(self) -> None:
        self.client.get("/api/notifications/?limit=5", name="/api/notifications/")
