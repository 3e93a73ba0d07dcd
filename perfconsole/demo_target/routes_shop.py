"""The demo target's shop API (products, cart, checkout, orders)."""

from __future__ import annotations

import itertools

from flask import Flask, Response, jsonify
from werkzeug.exceptions import BadRequest, NotFound

from perfconsole.demo_target.request_fields import (
    MAX_PAGE,
    int_field,
    json_body,
    query_int,
    require_user,
    text_field,
)
from perfconsole.demo_target.state import DemoState


def add_shop_routes(app: Flask, state: DemoState) -> None:
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
