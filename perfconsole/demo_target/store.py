"""In-memory data of the demo target: notifications, users and tokens, products, carts, orders, loans.

Served by greenlets in one OS thread, so plain dicts are safe (no request yields while mutating them).
Every collection is bounded so a long load test cannot grow memory without limit: the oldest created
records are evicted, never the seeded ones that scenarios address by id.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

SEEDED_NOTIFICATIONS = 50
"""Notifications 1..50 always exist (scenarios pick ids in this range)."""
SEEDED_PRODUCTS = 20
"""Products 1..20 always exist."""
MAX_RECORDS = 10_000
"""Bound of each growing collection."""
ORDERS_PER_USER = 20
"""Orders listed by ``GET /api/orders`` (the newest)."""


class BoundedDict(OrderedDict[K, V], Generic[K, V]):
    """An insertion-ordered dict that evicts its oldest unpinned entries beyond ``max_size``."""

    def __init__(self, max_size: int = MAX_RECORDS) -> None:
        super().__init__()
        self.max_size = max_size
        self.pinned: set[K] = set()
        self.on_evict: Callable[[V], None] | None = None
        """Called with each evicted value (keeps derived counters right)."""

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        while len(self) > self.max_size:
            oldest = next((old for old in self.keys() if old not in self.pinned), None)
            if oldest is None:
                break
            evicted = super().pop(oldest)
            if self.on_evict is not None:
                self.on_evict(evicted)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(slots=True)
class Session:
    username: str
    refresh_token: str


@dataclass(slots=True)
class DemoStore:
    """All in-memory records. Methods return JSON-ready dicts."""

    notifications: BoundedDict[int, dict[str, Any]] = field(default_factory=BoundedDict)
    unread_count: int = 0
    users: BoundedDict[str, dict[str, Any]] = field(default_factory=BoundedDict)
    tokens: BoundedDict[str, Session] = field(default_factory=BoundedDict)
    refresh_tokens: BoundedDict[str, str] = field(default_factory=BoundedDict)
    products: BoundedDict[int, dict[str, Any]] = field(default_factory=BoundedDict)
    carts: BoundedDict[str, dict[int, int]] = field(default_factory=BoundedDict)
    orders: BoundedDict[int, dict[str, Any]] = field(default_factory=BoundedDict)
    order_ids_by_user: BoundedDict[str, deque[int]] = field(default_factory=BoundedDict)
    loans: BoundedDict[int, dict[str, Any]] = field(default_factory=BoundedDict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def __post_init__(self) -> None:
        self.notifications.on_evict = self._forget_notification

    def _forget_notification(self, item: dict[str, Any]) -> None:
        if not item["read"]:
            self.unread_count -= 1

    @classmethod
    def seeded(cls) -> DemoStore:
        store = cls()
        for number in range(1, SEEDED_NOTIFICATIONS + 1):
            store.notifications[number] = {
                "id": number,
                "user_id": 1 + number % 5,
                "title": f"Notification {number}",
                "message": f"Seeded message {number}",
                "read": number % 3 == 0,
                "created_at": now_iso(),
            }
            store.notifications.pinned.add(number)
        store.unread_count = sum(1 for item in store.notifications.values() if not item["read"])
        for number in range(1, SEEDED_PRODUCTS + 1):
            store.products[number] = {
                "id": number,
                "name": f"Product {number}",
                "price_cents": 199 + 250 * number,
                "stock": 100,
            }
            store.products.pinned.add(number)
        return store

    # notifications
    def add_notification(self, title: str, message: str, user_id: int) -> dict[str, Any]:
        item_id = next(self.ids)
        item = {
            "id": item_id,
            "user_id": user_id,
            "title": title,
            "message": message,
            "read": False,
            "created_at": now_iso(),
        }
        self.unread_count += 1
        self.notifications[item_id] = item
        return item

    def mark_read(self, item_id: int) -> dict[str, Any] | None:
        item = self.notifications.get(item_id)
        if item is not None and not item["read"]:
            item["read"] = True
            self.unread_count -= 1
        return item

    def list_notifications(self, offset: int, limit: int, unread_only: bool) -> list[dict[str, Any]]:
        selected = (
            item for item in reversed(self.notifications.values()) if not (unread_only and item["read"])
        )
        return list(itertools.islice(selected, offset, offset + limit))

    # users and tokens
    def register(self, username: str, password: str) -> dict[str, Any] | None:
        """The new user, or None if the name is taken."""
        if username in self.users:
            return None
        user = {"id": next(self.ids), "username": username, "password": password, "created_at": now_iso()}
        self.users[username] = user
        return public_user(user)

    def login(self, username: str, password: str) -> dict[str, Any] | None:
        user = self.users.get(username)
        if user is None or user["password"] != password:
            return None
        return self.issue_tokens(username)

    def issue_tokens(self, username: str) -> dict[str, Any]:
        token, refresh_token = secrets.token_hex(16), secrets.token_hex(16)
        self.tokens[token] = Session(username, refresh_token)
        self.refresh_tokens[refresh_token] = username
        return {"token": token, "refresh_token": refresh_token, "token_type": "Bearer", "expires_in": 3600}

    def refresh(self, refresh_token: str) -> dict[str, Any] | None:
        username = self.refresh_tokens.pop(refresh_token, None)
        if username is None or username not in self.users:
            return None
        return self.issue_tokens(username)

    def logout(self, token: str) -> bool:
        session = self.tokens.pop(token, None)
        if session is None:
            return False
        self.refresh_tokens.pop(session.refresh_token, None)
        self.carts.pop(token, None)
        return True

    def user_for_token(self, token: str) -> dict[str, Any] | None:
        session = self.tokens.get(token)
        if session is None:
            return None
        user = self.users.get(session.username)
        return None if user is None else public_user(user)

    # shop
    def add_product(self, name: str, price_cents: int) -> dict[str, Any]:
        product_id = next(self.ids)
        product = {"id": product_id, "name": name, "price_cents": price_cents, "stock": 100}
        self.products[product_id] = product
        return product

    def cart(self, owner: str) -> dict[str, Any]:
        lines = self.carts.get(owner, {})
        items = self.priced_items(lines)
        total = sum(item["price_cents"] * item["quantity"] for item in items)
        return {"items": items, "total_cents": total}

    def priced_items(self, lines: dict[int, int]) -> list[dict[str, Any]]:
        """Cart/order lines with current prices (products that no longer exist are dropped)."""
        return [
            {
                "product_id": product_id,
                "quantity": quantity,
                "price_cents": self.products[product_id]["price_cents"],
            }
            for product_id, quantity in lines.items()
            if product_id in self.products
        ]

    def add_to_cart(self, owner: str, product_id: int, quantity: int) -> dict[str, Any]:
        lines = self.carts.setdefault(owner, {})
        lines[product_id] = lines.get(product_id, 0) + quantity
        return self.cart(owner)

    def create_order(self, username: str, lines: dict[int, int]) -> dict[str, Any]:
        items = self.priced_items(lines)
        order_id = next(self.ids)
        order = {
            "id": order_id,
            "username": username,
            "items": items,
            "total_cents": sum(item["price_cents"] * item["quantity"] for item in items),
            "status": "placed",
            "created_at": now_iso(),
        }
        self.orders[order_id] = order
        self.order_ids_by_user.setdefault(username, deque(maxlen=ORDERS_PER_USER)).append(order_id)
        return order

    def checkout(self, owner: str, username: str) -> dict[str, Any] | None:
        """An order from the owner's cart (emptied), or None if the cart is empty."""
        lines = self.carts.pop(owner, None)
        if not lines:
            return None
        return self.create_order(username, lines)

    def orders_of(self, username: str) -> list[dict[str, Any]]:
        """The user's latest orders, newest first."""
        order_ids = self.order_ids_by_user.get(username, ())
        return [self.orders[order_id] for order_id in reversed(order_ids) if order_id in self.orders]

    # loans
    def add_loan(self, amount: float, term_months: int) -> dict[str, Any]:
        monthly_rate = 0.06 / 12
        payment = amount * monthly_rate / (1 - (1 + monthly_rate) ** -term_months)
        loan_id = next(self.ids)
        loan = {
            "id": loan_id,
            "amount": amount,
            "term_months": term_months,
            "monthly_payment": round(payment, 2),
            "status": "pending",
            "created_at": now_iso(),
        }
        self.loans[loan_id] = loan
        return loan


def public_user(user: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in user.items() if key != "password"}
