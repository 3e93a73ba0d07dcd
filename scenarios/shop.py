"""Shop: admins (1) and shoppers (9); shoppers browse, fill a cart and check out in order.

Two user classes weighted 1:9. Shoppers follow a ``SequentialTaskSet`` checkout funnel; admins watch
the dashboard, orders and loans and add products. Both sign up and log in when they start.
"""

import random
import uuid

from locust import FastHttpUser, SequentialTaskSet, between, tag, task

SEEDED_PRODUCT_IDS = range(1, 21)
"""Products that always exist on the demo target."""


def sign_in(user: FastHttpUser) -> dict[str, str]:
    """Register a fresh account, log in, and return the Authorization header to send."""
    credentials = {
        "username": f"{type(user).__name__.lower()}-{uuid.uuid4().hex[:12]}",
        "password": "s3cret!",
    }
    user.client.post("/api/auth/register", json=credentials)
    response = user.client.post("/api/auth/login", json=credentials)
    token = response.json().get("token", "") if response.status_code == 200 else ""
    return {"Authorization": f"Bearer {token}"}


class CheckoutFunnel(SequentialTaskSet):
    """Browse -> product page -> add to cart -> view cart -> checkout -> order history."""

    product_id = 1

    @task
    def browse(self) -> None:
        self.client.get("/api/products?limit=20", name="/api/products")

    @task
    def view_product(self) -> None:
        self.product_id = random.choice(SEEDED_PRODUCT_IDS)
        self.client.get(f"/api/products/{self.product_id}", name="/api/products/[id]")

    @task
    def add_to_cart(self) -> None:
        self.client.post(
            "/api/cart",
            json={"product_id": self.product_id, "quantity": random.randint(1, 3)},
            headers=self.user.auth_headers,
        )

    @task
    def view_cart(self) -> None:
        self.client.get("/api/cart", headers=self.user.auth_headers)

    @task
    def checkout(self) -> None:
        self.client.post("/api/checkout", json={"payment": "card"}, headers=self.user.auth_headers)

    @task
    def order_history(self) -> None:
        self.client.get("/api/orders", headers=self.user.auth_headers)


class ShopperUser(FastHttpUser):
    """Walks the checkout funnel (9 of every 10 users)."""

    weight = 9
    wait_time = between(0.5, 2.0)
    tasks = [CheckoutFunnel]
    auth_headers: dict[str, str] = {}

    def on_start(self) -> None:
        self.auth_headers = sign_in(self)


class AdminUser(FastHttpUser):
    """Back-office: dashboard, orders, loans and new products (1 of every 10 users)."""

    weight = 1
    wait_time = between(1.0, 3.0)
    auth_headers: dict[str, str] = {}

    def on_start(self) -> None:
        self.auth_headers = sign_in(self)

    @tag("read")
    @task(3)
    def dashboard(self) -> None:
        self.client.get("/api/dashboard")

    @tag("read")
    @task(2)
    def orders(self) -> None:
        self.client.get("/api/orders", headers=self.auth_headers)

    @tag("read")
    @task(1)
    def loans(self) -> None:
        self.client.get("/api/loans")

    @tag("write")
    @task(1)
    def new_loan(self) -> None:
        self.client.post(
            "/api/loans", json={"amount": random.choice((5000, 12000, 25000)), "term_months": 36}
        )

    @tag("write")
    @task(1)
    def new_product(self) -> None:
        self.client.post(
            "/api/products",
            json={"name": f"Product {uuid.uuid4().hex[:6]}", "price_cents": random.randint(100, 50000)},
            headers=self.auth_headers,
        )
