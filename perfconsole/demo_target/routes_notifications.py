"""The demo target's notifications API (``/api/notifications/``: list, create, read, batch)."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest, NotFound

from perfconsole.demo_target.request_fields import (
    MAX_BATCH_ITEMS,
    MAX_PAGE,
    json_body,
    optional_int,
    query_int,
    text_field,
)
from perfconsole.demo_target.state import POOL_TIMEOUT_S, DemoState


def add_notification_routes(app: Flask, state: DemoState) -> None:
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
