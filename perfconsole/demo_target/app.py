"""The demo target's Flask application: a small notifications/auth/shop/loans API with tunable latency,
injected errors, a simulated DB pool, Prometheus ``/metrics`` and a loopback-only ``/_control``.

The routes of each API area live in ``routes_*.py``; this module builds the app and its hooks.
Meant to be served by gevent (``perfconsole.demo_target.server``): delays are cooperative sleeps.
"""

from __future__ import annotations

import random
import re
import time

import gevent
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException

from perfconsole.demo_target import behaviour
from perfconsole.demo_target.metrics import CONTENT_TYPE, Metrics, render
from perfconsole.demo_target.options import DemoOptions, OptionError, apply_control
from perfconsole.demo_target.pool import SimulatedPool
from perfconsole.demo_target.routes_auth import add_auth_routes
from perfconsole.demo_target.routes_misc import add_misc_routes
from perfconsole.demo_target.routes_notifications import add_notification_routes
from perfconsole.demo_target.routes_shop import add_shop_routes
from perfconsole.demo_target.state import POOL_TIMEOUT_S, DemoState
from perfconsole.demo_target.store import DemoStore
from perfconsole.hosts import is_loopback_host

LEAK_CAP_MB = 256
"""The most ``leak_kb_per_request`` keeps, whatever the run's length."""
INTERNAL_PATHS = frozenset({"/metrics", "/_control"})
"""Never delayed, never failed on purpose, not counted in flight."""
NO_DB_PATHS = frozenset({"/", "/api/v1/health/", "/api/v1/health/ping"})
"""Answered without taking a DB pool slot (everything else under /api/ takes one)."""
DELAY_HEADER = "X-Demo-Delay-Ms"
"""Response header carrying the simulated latency chosen for the request (before any pool queueing)."""

_CONVERTER = re.compile(r"<[^<>]+>")


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
    add_notification_routes(app, state)
    add_auth_routes(app, state)
    add_shop_routes(app, state)
    add_misc_routes(app, state)
    return app


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
            drift_ms = state.options.drift_ms_per_min * (time.monotonic() - state.drift_origin) / 60.0
            g.delay_ms = behaviour.sample_latency_ms(state.options, request.path, state.rng) + drift_ms
            return float(g.delay_ms) / 1000.0

        leak = int(state.options.leak_kb_per_request * 1024)
        if leak and request.path.startswith("/api/") and state.leaked_bytes + leak <= LEAK_CAP_MB * 2**20:
            state.leaked.append(bytearray(leak))
            state.leaked_bytes += leak

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
                before = state.options.drift_ms_per_min
                state.options = apply_control(state.options, state.initial, payload)
                if state.options.drift_ms_per_min != before:
                    state.drift_origin = time.monotonic()
            except OptionError as exc:
                raise BadRequest(str(exc)) from None
        return jsonify(state.options.to_json())
