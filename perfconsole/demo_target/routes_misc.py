"""The demo target's index, health, dashboard and loans routes."""

from __future__ import annotations

import itertools
import time

from flask import Flask, Response, jsonify
from werkzeug.exceptions import BadRequest

from perfconsole.demo_target.request_fields import MAX_PAGE, int_field, json_body
from perfconsole.demo_target.state import DemoState


def add_misc_routes(app: Flask, state: DemoState) -> None:
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
