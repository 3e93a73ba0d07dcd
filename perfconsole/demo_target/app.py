"""The demo target's Flask application: a small notifications/auth/shop/loans API with tunable latency,
injected errors, a simulated DB pool, Prometheus ``/metrics`` and a loopback-only ``/_control``.

Meant to be served by gevent (``perfconsole.demo_target.server``): delays are cooperative sleeps.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import gevent
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound, Unauthorized

from perfconsole.demo_target import behaviour
from perfconsole.demo_target.metrics import CONTENT_TYPE, Metrics, render
from perfconsole.demo_target.options import DemoOptions, OptionError, apply_control
from perfconsole.demo_target.pool import SimulatedPool
from perfconsole.demo_target.store import DemoStore
from perfconsole.hosts import is_loopback_host

INTERNAL_PATHS = frozenset({"/metrics", "/_control"})
"""Never delayed, never failed on purpose, not counted in flight."""
NO_DB_PATHS = frozenset({"/", "/api/v1/health/", "/api/v1/health/ping"})
"""Answered without taking a DB pool slot (everything else under /api/ takes one)."""
POOL_TIMEOUT_S = 5.0
"""A request waiting longer than this for a DB slot is answered 503."""
DELAY_HEADER = "X-Demo-Delay-Ms"
"""Response header carrying the simulated latency chosen for the request (before any pool queueing)."""
MAX_BATCH_ITEMS = 1000
MAX_PAGE = 100

_CONVERTER = re.compile(r"<[^<>]+>")


@dataclass(slots=True)
class DemoState:
    """Everything the app mutates: the live options, the data, the counters."""

    initial: DemoOptions
    options: DemoOptions
    rng: random.Random
    store: DemoStore
    metrics: Metrics
    pool: SimulatedPool
    started: float = field(default_factory=time.time)


def path_template(rule: str | None) -> str:
    """``/api/notifications/<int:item_id>/`` -> ``/api/notifications/[id]/`` (the scenarios' request names).

    Every route variable of this app is an id; a request that matched no route is ``unmatched``.
    """
    return "unmatched" if rule is None else _CONVERTER.sub("[id]", rule)


def create_app(options: DemoOptions | None = None) -> Flask:
    """Build the demo target app with fresh in-memory data."""
    options = options or DemoOptions()
    metrics = Metrics(start_time=time.time(), db_pool_size=options.db_pool_size)
    state = DemoState(
        initial=options,
        options=options,
        rng=random.Random(options.seed),
        store=DemoStore.seeded(),
        metrics=metrics,
        pool=SimulatedPool(options.db_pool_size, metrics),
    )
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["demo_state"] = state
    _install_hooks(app, state)
    _add_internal_routes(app, state)
    _add_notification_routes(app, state)
    _add_auth_routes(app, state)
    _add_shop_routes(app, state)
    _add_misc_routes(app, state)
    return app


def demo_state(app: Flask) -> DemoState:
    state: DemoState = app.extensions["demo_state"]
    return state


# --- request helpers -------------------------------------------------------------------------------


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name} must be a non-empty string")
    return value


def int_field(body: dict[str, Any], name: str, low: int, high: int) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be an integer between {low} and {high}")
    return value


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_int(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer")
    return value


def require_user(store: DemoStore) -> tuple[str, dict[str, Any]]:
    """The request's Bearer token and its user; 401 without a valid token."""
    token = bearer_token()
    user = store.user_for_token(token) if token else None
    if token is None or user is None:
        raise Unauthorized("a valid Bearer token is required")
    return token, user


# --- hooks: latency, errors, counters --------------------------------------------------------------


def _install_hooks(app: Flask, state: DemoState) -> None:
    metrics = state.metrics

    @app.before_request
    def simulate() -> Response | tuple[Response, int] | None:
        g.started = time.monotonic()
        if request.path in INTERNAL_PATHS:
            return None
        g.in_flight = True
        metrics.in_flight += 1

        def work_time_s() -> float:
            g.delay_ms = behaviour.sample_latency_ms(state.options, request.path, state.rng)
            return float(g.delay_ms) / 1000.0

        if request.path.startswith("/api/") and request.path not in NO_DB_PATHS:
            if not state.pool.work(work_time_s, POOL_TIMEOUT_S):
                return jsonify(error="database pool exhausted", status=503), 503
        else:
            gevent.sleep(work_time_s())
        if behaviour.should_inject_error(state.options, request.path, state.rng):
            metrics.injected_errors += 1
            return jsonify(error="injected failure", status=503), 503
        return None

    @app.after_request
    def count(response: Response) -> Response:
        started = g.get("started", time.monotonic())
        rule = request.url_rule.rule if request.url_rule is not None else None
        metrics.record(request.method, path_template(rule), response.status_code, time.monotonic() - started)
        if "delay_ms" in g:
            response.headers[DELAY_HEADER] = f"{g.delay_ms:.3f}"
        return response

    @app.teardown_request
    def leave(_exc: BaseException | None) -> None:
        if g.pop("in_flight", False):
            metrics.in_flight -= 1

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        code = exc.code or 500
        return jsonify(error=exc.description, status=code), code

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> tuple[Response, int]:
        app.logger.exception("unhandled error")
        return jsonify(error=f"internal error: {type(exc).__name__}", status=500), 500


def _add_internal_routes(app: Flask, state: DemoState) -> None:
    @app.get("/metrics")
    def metrics() -> Response:
        return Response(render(state.metrics), content_type=CONTENT_TYPE)

    @app.route("/_control", methods=["GET", "POST"])
    def control() -> Response:
        if not request.remote_addr or not is_loopback_host(request.remote_addr):
            raise Forbidden("/_control accepts loopback clients only")
        if request.method == "POST":
            payload = request.get_json(silent=True)
            try:
                state.options = apply_control(state.options, state.initial, payload)
            except OptionError as exc:
                raise BadRequest(str(exc)) from None
        return jsonify(state.options.to_json())


# --- notifications ---------------------------------------------------------------------------------


def _add_notification_routes(app: Flask, state: DemoState) -> None:
    store = state.store

    @app.get("/api/notifications/")
    def list_notifications() -> Response:
        limit = query_int("limit", 20, 1, MAX_PAGE)
        offset = query_int("offset", 0, 0, 1_000_000)
        unread_only = request.args.get("unread", "").lower() in {"1", "true", "yes"}
        results = store.list_notifications(offset, limit, unread_only)
        return jsonify(count=len(store.notifications), unread=store.unread_count, results=results)

    @app.post("/api/notifications/")
    def create_notification() -> tuple[Response, int]:
        body = json_body()
        item = store.add_notification(
            text_field(body, "title"), text_field(body, "message"), optional_int(body, "user_id", 1)
        )
        return jsonify(item), 201

    @app.get("/api/notifications/<int:item_id>/")
    def get_notification(item_id: int) -> Response:
        item = store.notifications.get(item_id)
        if item is None:
            raise NotFound(f"notification {item_id} not found")
        return jsonify(item)

    @app.patch("/api/notifications/<int:item_id>/read/")
    def mark_read(item_id: int) -> Response:
        item = store.mark_read(item_id)
        if item is None:
            raise NotFound(f"notification {item_id} not found")
        return jsonify(item)

    @app.post("/api/notifications/batch/")
    def create_batch() -> tuple[Response, int]:
        items = json_body().get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise BadRequest(f"items must be a list of 1 to {MAX_BATCH_ITEMS} objects")
        if not all(isinstance(item, dict) for item in items):
            raise BadRequest("each item must be a JSON object")
        user_ids = [optional_int(item, "user_id", 1) for item in items]

        def batch_work_s() -> float:
            return state.options.batch_item_ms * len(items) / 1000.0

        if not state.pool.work(batch_work_s, POOL_TIMEOUT_S):
            return jsonify(error="database pool exhausted", status=503), 503
        created = [
            store.add_notification(
                str(item.get("title") or "Batch notification"), str(item.get("message") or ""), user_id
            )
            for item, user_id in zip(items, user_ids, strict=True)
        ]
        return jsonify(created=len(created), ids=[item["id"] for item in created]), 201


# --- auth ------------------------------------------------------------------------------------------


def _add_auth_routes(app: Flask, state: DemoState) -> None:
    store = state.store

    @app.post("/api/auth/register")
    def register() -> tuple[Response, int]:
        body = json_body()
        user = store.register(text_field(body, "username"), text_field(body, "password"))
        if user is None:
            return jsonify(error="username already taken", status=409), 409
        return jsonify(user), 201

    @app.post("/api/auth/login")
    def login() -> Response:
        body = json_body()
        tokens = store.login(text_field(body, "username"), text_field(body, "password"))
        if tokens is None:
            raise Unauthorized("wrong username or password")
        return jsonify(tokens)

    @app.post("/api/auth/refresh")
    def refresh() -> Response:
        tokens = store.refresh(text_field(json_body(), "refresh_token"))
        if tokens is None:
            raise Unauthorized("unknown or used refresh token")
        return jsonify(tokens)

    @app.post("/api/auth/logout")
    def logout() -> tuple[str, int]:
        token, _user = require_user(store)
        store.logout(token)
        return "", 204

    @app.get("/api/users/me")
    def me() -> Response:
        return jsonify(require_user(store)[1])


# --- shop ------------------------------------------------------------------------------------------


def _add_shop_routes(app: Flask, state: DemoState) -> None:
    store = state.store

    @app.get("/api/products")
    def list_products() -> Response:
        limit = query_int("limit", 20, 1, MAX_PAGE)
        offset = query_int("offset", 0, 0, 1_000_000)
        products = list(itertools.islice(store.products.values(), offset, offset + limit))
        return jsonify(count=len(store.products), results=products)

    @app.post("/api/products")
    def create_product() -> tuple[Response, int]:
        require_user(store)
        body = json_body()
        product = store.add_product(text_field(body, "name"), int_field(body, "price_cents", 1, 10_000_000))
        return jsonify(product), 201

    @app.get("/api/products/<int:product_id>")
    def get_product(product_id: int) -> Response:
        product = store.products.get(product_id)
        if product is None:
            raise NotFound(f"product {product_id} not found")
        return jsonify(product)

    @app.get("/api/cart")
    def get_cart() -> Response:
        token, _user = require_user(store)
        return jsonify(store.cart(token))

    @app.post("/api/cart")
    def add_to_cart() -> Response:
        token, _user = require_user(store)
        body = json_body()
        product_id = int_field(body, "product_id", 1, 2**31)
        if product_id not in store.products:
            raise BadRequest(f"product {product_id} does not exist")
        return jsonify(store.add_to_cart(token, product_id, int_field(body, "quantity", 1, 100)))

    @app.post("/api/checkout")
    def checkout() -> tuple[Response, int]:
        token, user = require_user(store)
        order = store.checkout(token, user["username"])
        if order is None:
            return jsonify(error="cart is empty", status=409), 409
        return jsonify(order), 201

    @app.get("/api/orders")
    def list_orders() -> Response:
        _token, user = require_user(store)
        orders = store.orders_of(user["username"])
        return jsonify(count=len(orders), results=orders)

    @app.post("/api/orders")
    def create_order() -> tuple[Response, int]:
        _token, user = require_user(store)
        items = json_body().get("items")
        if not isinstance(items, list) or not items:
            raise BadRequest("items must be a non-empty list of {product_id, quantity}")
        lines: dict[int, int] = {}
        for item in items:
            if not isinstance(item, dict):
                raise BadRequest("each item must be a JSON object")
            product_id = int_field(item, "product_id", 1, 2**31)
            if product_id not in store.products:
                raise BadRequest(f"product {product_id} does not exist")
            lines[product_id] = lines.get(product_id, 0) + int_field(item, "quantity", 1, 100)
        return jsonify(store.create_order(user["username"], lines)), 201


# --- index, health, dashboard, loans ---------------------------------------------------------------


def _add_misc_routes(app: Flask, state: DemoState) -> None:
    store = state.store

    @app.get("/")
    def index() -> Response:
        return jsonify(service="perfconsole demo target", metrics="/metrics", health="/api/v1/health/")

    @app.get("/api/v1/health/")
    def health() -> Response:
        return jsonify(status="ok", uptime_s=round(time.time() - state.started, 3))

    @app.get("/api/v1/health/ping")
    def ping() -> Response:
        return Response("pong", content_type="text/plain")

    @app.get("/api/v1/health/database")
    def health_database() -> Response:
        return jsonify(
            status="ok",
            pool_size=state.metrics.db_pool_size,
            pool_in_use=state.metrics.db_pool_in_use,
            queue_depth=state.metrics.queue_depth,
        )

    @app.get("/api/dashboard")
    def dashboard() -> Response:
        return jsonify(
            notifications=len(store.notifications),
            unread=store.unread_count,
            users=len(store.users),
            orders=len(store.orders),
            loans=len(store.loans),
            requests_in_flight=state.metrics.in_flight,
        )

    @app.get("/api/loans")
    def list_loans() -> Response:
        latest = list(itertools.islice(reversed(store.loans.values()), MAX_PAGE // 5))
        return jsonify(count=len(store.loans), results=latest)

    @app.post("/api/loans")
    def create_loan() -> tuple[Response, int]:
        body = json_body()
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not 0 < amount <= 10_000_000:
            raise BadRequest("amount must be a number between 0 and 10000000")
        return jsonify(store.add_loan(float(amount), int_field(body, "term_months", 1, 360))), 201
