"""The demo target: endpoints, status codes, error and latency control, /metrics, process lifecycle.

Most tests talk over HTTP to the real child process of the session ``demo_target`` fixture.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from perfconsole.demo_target import behaviour
from perfconsole.demo_target.options import DemoOptions, OptionError, apply_control
from perfconsole.demo_target.process import DemoTargetError, DemoTargetProcess, start_demo_target
from perfconsole.errors import UserError

METRIC_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$')

DemoControl = Callable[..., dict[str, Any]]
Metrics = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_metrics(text: str) -> Metrics:
    """Parse Prometheus text; fails the test on any line that is not a comment or a valid sample."""
    samples: Metrics = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = METRIC_LINE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        samples[(match.group(1), labels)] = float(match.group(3))
    return samples


def sample(samples: Metrics, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def client(demo_target: DemoTargetProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo_target.url, timeout=10.0) as http:
        yield http


def login(client: httpx.Client) -> dict[str, str]:
    username = f"test-{random.getrandbits(48):x}"
    assert client.post("/api/auth/register", json={"username": username, "password": "pw"}).status_code == 201
    token = client.post("/api/auth/login", json={"username": username, "password": "pw"}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


# --- endpoints -------------------------------------------------------------------------------------


def test_index_and_health_endpoints(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/health/").json()["status"] == "ok"
    ping = client.get("/api/v1/health/ping")
    assert (ping.status_code, ping.text) == (200, "pong")
    database = client.get("/api/v1/health/database").json()
    assert database["status"] == "ok" and database["pool_size"] == 20


def test_notifications_crud(client: httpx.Client) -> None:
    listing = client.get("/api/notifications/", params={"limit": 5})
    assert listing.status_code == 200 and len(listing.json()["results"]) == 5

    created = client.post("/api/notifications/", json={"title": "t", "message": "m"})
    assert created.status_code == 201
    item = created.json()
    assert item["title"] == "t" and item["read"] is False

    assert client.get(f"/api/notifications/{item['id']}/").json() == item
    marked = client.patch(f"/api/notifications/{item['id']}/read/")
    assert marked.status_code == 200 and marked.json()["read"] is True

    assert client.get("/api/notifications/987654321/").status_code == 404
    assert client.patch("/api/notifications/987654321/read/").status_code == 404
    assert client.post("/api/notifications/", json={"title": ""}).status_code == 400
    assert client.get("/api/notifications/", params={"limit": "many"}).status_code == 400


def test_notifications_batch(client: httpx.Client) -> None:
    items = [{"title": f"b{index}", "message": "m"} for index in range(10)]
    batch = client.post("/api/notifications/batch/", json={"items": items})
    assert batch.status_code == 201
    assert batch.json()["created"] == 10 and len(set(batch.json()["ids"])) == 10
    assert client.post("/api/notifications/batch/", json={"items": []}).status_code == 400
    assert client.post("/api/notifications/batch/", json={"rows": items}).status_code == 400


def test_auth_flow_and_401(client: httpx.Client) -> None:
    credentials = {"username": f"auth-{random.getrandbits(48):x}", "password": "secret"}
    registered = client.post("/api/auth/register", json=credentials)
    assert registered.status_code == 201 and "password" not in registered.json()
    assert client.post("/api/auth/register", json=credentials).status_code == 409
    assert client.post("/api/auth/login", json={**credentials, "password": "wrong"}).status_code == 401

    tokens = client.post("/api/auth/login", json=credentials).json()
    headers = {"Authorization": f"Bearer {tokens['token']}"}
    assert client.get("/api/users/me").status_code == 401
    assert client.get("/api/users/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/users/me", headers=headers).json()["username"] == credentials["username"]

    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["token"] != tokens["token"]
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    )

    new_headers = {"Authorization": f"Bearer {refreshed.json()['token']}"}
    assert client.post("/api/auth/logout", headers=new_headers).status_code == 204
    assert client.get("/api/users/me", headers=new_headers).status_code == 401
    assert client.post("/api/auth/logout").status_code == 401


def test_shop_flow(client: httpx.Client) -> None:
    products = client.get("/api/products").json()
    assert products["count"] >= 20
    assert client.get("/api/products/3").json()["id"] == 3
    assert client.get("/api/products/987654321").status_code == 404
    assert client.get("/api/cart").status_code == 401
    assert client.post("/api/checkout").status_code == 401

    headers = login(client)
    assert client.post("/api/checkout", headers=headers).status_code == 409  # empty cart
    cart = client.post("/api/cart", json={"product_id": 3, "quantity": 2}, headers=headers)
    assert cart.status_code == 200 and cart.json()["items"][0]["quantity"] == 2
    assert client.get("/api/cart", headers=headers).json()["total_cents"] > 0
    assert (
        client.post("/api/cart", json={"product_id": 987654321, "quantity": 1}, headers=headers).status_code
        == 400
    )
    order = client.post("/api/checkout", headers=headers)
    assert order.status_code == 201 and order.json()["items"][0]["product_id"] == 3
    assert client.get("/api/cart", headers=headers).json()["items"] == []

    direct = client.post("/api/orders", json={"items": [{"product_id": 1, "quantity": 1}]}, headers=headers)
    assert direct.status_code == 201
    history = client.get("/api/orders", headers=headers).json()["results"]
    assert [entry["id"] for entry in history] == [direct.json()["id"], order.json()["id"]]

    created = client.post("/api/products", json={"name": "New", "price_cents": 999}, headers=headers)
    assert (
        created.status_code == 201 and client.get(f"/api/products/{created.json()['id']}").status_code == 200
    )


def test_dashboard_and_loans(client: httpx.Client) -> None:
    assert {"notifications", "orders", "loans"} <= set(client.get("/api/dashboard").json())
    loan = client.post("/api/loans", json={"amount": 12000, "term_months": 36})
    assert loan.status_code == 201 and loan.json()["monthly_payment"] > 0
    assert client.get("/api/loans").json()["results"][0]["id"] == loan.json()["id"]
    assert client.post("/api/loans", json={"amount": -5, "term_months": 36}).status_code == 400
    assert client.post("/api/loans", content=b"not json").status_code == 400


def test_unknown_route_is_json_404(client: httpx.Client) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json()["status"] == 404


# --- error injection and latency control -----------------------------------------------------------


def test_error_injection_global_and_per_path(client: httpx.Client, demo_control: DemoControl) -> None:
    before = parse_metrics(client.get("/metrics").text)
    demo_control(error_rate=1.0)
    assert [client.get("/api/v1/health/").status_code for _ in range(5)] == [503] * 5

    settings = demo_control(error_rate=0.0, path_error_rates={"/api/products": 1.0})
    assert settings["path_error_rates"] == {"/api/products": 1.0}
    assert client.get("/api/products/1").status_code == 503
    assert client.get("/api/products").status_code == 503
    assert client.get("/api/v1/health/").status_code == 200

    after = parse_metrics(client.get("/metrics").text)
    assert sample(after, "demo_injected_errors_total") - sample(before, "demo_injected_errors_total") == 7


def test_partial_error_rate_fails_some_requests(client: httpx.Client, demo_control: DemoControl) -> None:
    demo_control(error_rate=0.5, latency_ms=0.0, jitter_ms=0.0)
    statuses = [client.get("/api/v1/health/ping").status_code for _ in range(100)]
    assert set(statuses) == {200, 503}
    assert 20 <= statuses.count(503) <= 80  # binomial(100, 0.5): outside this range ~1e-9


def test_control_reset_and_validation(demo_target: DemoTargetProcess, demo_control: DemoControl) -> None:
    initial = demo_target.control()
    assert demo_control(latency_ms=40.0)["latency_ms"] == 40.0
    assert demo_target.control()["latency_ms"] == 40.0
    assert demo_control(reset=True) == initial
    for bad in (
        {"error_rate": 1.5},
        {"latency_ms": "fast"},
        {"colour": "red"},
        {"path_latency_ms": {"api": 5}},
    ):
        with pytest.raises(DemoTargetError):
            demo_target.control(bad)
    assert demo_target.control() == initial


def test_per_path_latency(client: httpx.Client, demo_control: DemoControl) -> None:
    demo_control(path_latency_ms={"/api/products": 200.0})
    slowed = client.get("/api/products/1")
    untouched = client.get("/api/v1/health/")
    # The header reports the delay the target chose; jitter is capped at 40 x 1 ms.
    assert float(slowed.headers["X-Demo-Delay-Ms"]) >= 201.0
    assert float(untouched.headers["X-Demo-Delay-Ms"]) < 50.0
    assert slowed.elapsed.total_seconds() >= 0.2  # the delay is really slept, not just reported


def test_base_latency_applies_to_every_api_path(client: httpx.Client, demo_control: DemoControl) -> None:
    demo_control(latency_ms=30.0, jitter_ms=0.0)
    for path in ("/api/notifications/1/", "/api/v1/health/ping", "/api/dashboard"):
        assert float(client.get(path).headers["X-Demo-Delay-Ms"]) == 30.0


# --- /metrics --------------------------------------------------------------------------------------


def test_metrics_parse_and_count(client: httpx.Client) -> None:
    first = client.get("/metrics")
    assert first.headers["content-type"].startswith("text/plain")
    before = parse_metrics(first.text)
    for name in (
        "demo_requests_in_flight",
        "demo_db_pool_in_use",
        "demo_queue_depth",
        "process_start_time_seconds",
    ):
        assert (name, frozenset()) in before
    assert sample(before, "demo_db_pool_size") == 20

    for _ in range(3):
        client.get("/api/notifications/7/")
    client.get("/api/notifications/987654321/")
    after = parse_metrics(client.get("/metrics").text)

    labels = {"method": "GET", "path": "/api/notifications/[id]/"}
    assert (
        sample(after, "demo_requests_total", **labels, status="200")
        - sample(before, "demo_requests_total", **labels, status="200")
        == 3
    )
    assert (
        sample(after, "demo_requests_total", **labels, status="404")
        - sample(before, "demo_requests_total", **labels, status="404")
        == 1
    )
    assert sample(after, "demo_request_duration_seconds_count") > sample(
        before, "demo_request_duration_seconds_count"
    )


@pytest.mark.slow
def test_pool_and_queue_rise_with_load() -> None:
    """With a 2-slot pool and 5 slow requests in flight, 2 hold the pool and 3 queue."""
    with (
        start_demo_target(latency_ms=0, jitter_ms=0, db_pool_size=2) as target,
        httpx.Client(base_url=target.url, timeout=30.0) as http,
    ):
        target.control({"path_latency_ms": {"/api/dashboard": 2000.0}})
        statuses: list[int] = []

        def slow_request() -> None:
            with httpx.Client(base_url=target.url, timeout=30.0) as own:
                statuses.append(own.get("/api/dashboard").status_code)

        threads = [threading.Thread(target=slow_request) for _ in range(5)]
        for thread in threads:
            thread.start()
        peak: Metrics = {}
        deadline = time.monotonic() + 1.5  # bounded poll, inside the 2 s the first two hold the pool
        while time.monotonic() < deadline:
            peak = parse_metrics(http.get("/metrics").text)
            if sample(peak, "demo_requests_in_flight") == 5:
                break
            time.sleep(0.02)
        target.control({"path_latency_ms": {}})  # the 3 queued requests then finish at once
        for thread in threads:
            thread.join(timeout=30)
        assert sample(peak, "demo_requests_in_flight") == 5
        assert sample(peak, "demo_db_pool_in_use") == 2
        assert sample(peak, "demo_queue_depth") == 3
        assert statuses == [200] * 5
        idle = parse_metrics(http.get("/metrics").text)
        assert [sample(idle, name) for name in ("demo_requests_in_flight", "demo_db_pool_in_use")] == [0, 0]


def test_control_refuses_non_loopback_clients() -> None:
    from perfconsole.demo_target.app import create_app

    app = create_app(DemoOptions(latency_ms=0, jitter_ms=0))
    remote = app.test_client().get("/_control", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    local = app.test_client().get("/_control", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert (remote.status_code, local.status_code) == (403, 200)


# --- pure logic ------------------------------------------------------------------------------------


def test_apply_control_keeps_absent_keys_and_resets() -> None:
    initial = DemoOptions(latency_ms=5, error_rate=0.1)
    changed = apply_control(initial, initial, {"latency_ms": 50, "path_latency_ms": {"/api/cart": 10}})
    assert (changed.latency_ms, changed.error_rate, dict(changed.path_latency_ms)) == (
        50,
        0.1,
        {"/api/cart": 10},
    )
    assert apply_control(changed, initial, {"reset": True}) == initial
    with pytest.raises(OptionError, match="error_rate"):
        apply_control(initial, initial, {"error_rate": True})
    with pytest.raises(OptionError, match="JSON object"):
        apply_control(initial, initial, None)


def test_longest_prefix_wins_for_latency_and_errors() -> None:
    options = DemoOptions(
        latency_ms=10,
        jitter_ms=0,
        error_rate=0.2,
        path_latency_ms={"/api": 1, "/api/products": 100},
        path_error_rates={"/api/products/": 0.0},
    )
    rng = random.Random(0)
    assert behaviour.sample_latency_ms(options, "/api/products/3", rng) == 110
    assert behaviour.sample_latency_ms(options, "/api/cart", rng) == 11
    assert behaviour.sample_latency_ms(options, "/", rng) == 10
    assert behaviour.error_rate_for(options, "/api/products/3") == 0.0
    assert behaviour.error_rate_for(options, "/api/products") == 0.2


def test_jitter_has_a_tail_and_a_cap() -> None:
    options = DemoOptions(latency_ms=0, jitter_ms=2)
    rng = random.Random(42)
    samples = sorted(behaviour.sample_latency_ms(options, "/", rng) for _ in range(5000))
    median, p99 = samples[2500], samples[4950]
    assert 1.5 < median < 2.5
    assert p99 > 4 * median
    assert samples[-1] <= 2 * behaviour.JITTER_CAP


# --- CLI, hosts and process lifecycle --------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "example.com", "::"])
def test_serve_refuses_non_loopback_hosts(host: str) -> None:
    from perfconsole.demo_target.server import serve

    with pytest.raises(UserError, match="loopback"):
        serve(host=host, port=0)


@pytest.mark.parametrize(
    "argv",
    [
        ["--error-rate", "1.5"],
        ["--latency-ms", "-1"],
        ["--port", "70000"],
        ["--seed", "x"],
        ["--db-pool-size", "0"],
    ],
)
def test_cli_rejects_bad_values_with_one_line(argv: list[str]) -> None:
    from perfconsole.cli import _Parser
    from perfconsole.cli import demo_target as command

    parser = _Parser(prog="perfconsole")
    command.register(parser.add_subparsers(parser_class=_Parser))
    with pytest.raises(UserError) as caught:
        parser.parse_args(["demo-target", *argv])
    assert "\n" not in str(caught.value) and argv[0] in str(caught.value)


def test_cli_registers_defaults() -> None:
    from perfconsole.cli import demo_target as command

    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(["demo-target", "--port", "0", "--latency-ms", "7", "--seed", "3"])
    assert (args.host, args.port, args.latency_ms, args.error_rate, args.seed) == (
        "127.0.0.1",
        0,
        7.0,
        0.0,
        3,
    )
    assert args.func is command.run


@pytest.mark.slow
def test_child_refuses_non_loopback_host_without_traceback() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "perfconsole", "demo-target", "--host", "0.0.0.0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "loopback" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.slow
def test_port_in_use_is_a_clear_error(demo_target: DemoTargetProcess) -> None:
    with pytest.raises(DemoTargetError, match="already in use") as caught:
        start_demo_target(port=demo_target.port)
    assert "\n" not in str(caught.value)


@pytest.mark.slow
def test_stop_terminates_and_reaps_the_child() -> None:
    target = start_demo_target(latency_ms=0, jitter_ms=0)
    pid = target.pid
    assert target.running and httpx.get(f"{target.url}/api/v1/health/ping").text == "pong"
    target.stop()
    target.stop()  # idempotent
    assert not target.running and target.returncode == 0  # clean exit on SIGTERM
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: no zombie left
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{target.url}/api/v1/health/ping", timeout=2)


@pytest.mark.slow
def test_context_manager_stops_on_error() -> None:
    with pytest.raises(RuntimeError), start_demo_target(latency_ms=0, jitter_ms=0) as target:
        raise RuntimeError("boom")
    assert not target.running


def test_store_is_bounded_keeps_seeded_records_and_counts_unread() -> None:
    from perfconsole.demo_target.store import SEEDED_NOTIFICATIONS, DemoStore

    store = DemoStore.seeded()
    store.notifications.max_size = SEEDED_NOTIFICATIONS + 10
    created = [store.add_notification("t", "m", 1)["id"] for _ in range(25)]
    store.mark_read(created[-1])
    assert len(store.notifications) == SEEDED_NOTIFICATIONS + 10
    assert all(number in store.notifications for number in range(1, SEEDED_NOTIFICATIONS + 1))
    assert [item_id in store.notifications for item_id in created] == [False] * 15 + [True] * 10
    assert store.unread_count == sum(1 for item in store.notifications.values() if not item["read"])


@pytest.mark.slow
def test_launcher_imports_neither_flask_nor_textual() -> None:
    code = (
        "import sys, perfconsole.demo_target.process; "
        "print(sorted({'flask', 'textual', 'locust'} & {name.split('.')[0] for name in sys.modules}))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert completed.stdout.strip() == "[]", completed.stderr


@pytest.mark.slow
def test_demo_target_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    """A console or test killed with SIGKILL cannot stop its demo target: the target notices and exits."""
    import psutil

    script = tmp_path / "parent.py"
    script.write_text(
        "import time\n"
        "from perfconsole.demo_target.process import start_demo_target\n"
        "demo = start_demo_target()\n"
        "print(demo.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    demo_pid = int(parent.stdout.readline())
    assert psutil.pid_exists(demo_pid)
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if psutil.Process(demo_pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    else:
        os.kill(demo_pid, signal.SIGKILL)
        raise AssertionError("the demo target outlived its parent")
