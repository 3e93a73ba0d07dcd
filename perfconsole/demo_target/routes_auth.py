"""The demo target's auth API (register, login, refresh, logout, ``/api/users/me``)."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import Unauthorized

from perfconsole.demo_target.request_fields import json_body, require_user, text_field
from perfconsole.demo_target.state import DemoState


def add_auth_routes(app: Flask, state: DemoState) -> None:
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
