"""Reading a demo-target request: JSON body fields, query integers, the Bearer user (400/401 on bad input)."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest, Unauthorized

from perfconsole.demo_target.store import DemoStore

MAX_BATCH_ITEMS = 1000
MAX_PAGE = 100


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
