"""Preflight against real loopback servers: one clear line for each way a target can be unusable."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from perfconsole.errors import UserError
from perfconsole.resources.preflight import join_url, preflight


class _Handler(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        type(self).seen.append(self.path)
        if self.path == "/api/v1/health/":
            self.send_response(200)
        elif self.path == "/down/":
            self.send_response(503)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/moved/")
        elif self.path == "/metrics":
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthy_target_passes_and_only_its_url_is_contacted(server: str) -> None:
    result = preflight(
        server + "/", health_path="/api/v1/health/", timeout_s=3, metrics_url=server + "/metrics"
    )
    assert result.status_code == 200
    assert result.url == server + "/api/v1/health/"
    assert "127.0.0.1" in result.addresses
    assert _Handler.seen == ["/api/v1/health/", "/metrics"]


def test_any_answer_counts_without_a_health_path(server: str) -> None:
    assert preflight(server, timeout_s=3).status_code == 404


def test_closed_port_is_refused_in_one_line() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(UserError) as info:
        preflight(url, timeout_s=3)
    assert str(info.value) == f"cannot connect to {url}: connection refused"


def test_unhealthy_and_redirecting_health_paths(server: str) -> None:
    with pytest.raises(UserError) as info:
        preflight(server, health_path="/down/", timeout_s=3)
    assert str(info.value) == f"health check {server}/down/ answered 503"
    with pytest.raises(UserError) as info:
        preflight(server, health_path="/moved", timeout_s=3)
    assert str(info.value) == f"health check {server}/moved answered 301 (redirect to /moved/)"
    assert _Handler.seen == ["/down/", "/moved"]  # the redirect was not followed


def test_missing_metrics_page(server: str) -> None:
    with pytest.raises(UserError, match=r"^metrics http://127\.0\.0\.1:\d+/nope answered 404$"):
        preflight(server, timeout_s=3, metrics_url=server + "/nope")


def test_silent_target_times_out() -> None:
    # A listening socket nobody accepts from: the kernel completes the handshake, no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(UserError) as info:
            preflight(url, timeout_s=0.5)
    assert str(info.value) == f"{url} did not answer within 0.5 s"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "no host URL given"),
        ("127.0.0.1:8000", "the scheme must be http or https"),
        ("ftp://127.0.0.1/", "the scheme must be http or https"),
        ("http://", "no host"),
        ("http://127.0.0.1:99999", "bad port"),
        ("http://127.0.0.1:80 80", "contains a space"),
    ],
)
def test_malformed_urls(url: str, message: str) -> None:
    with pytest.raises(UserError) as info:
        preflight(url, timeout_s=1)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unresolvable_host_uses_the_resolver_reason() -> None:
    def resolver(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(UserError) as info:
        preflight("http://staging.example.invalid:8080", resolver=resolver)
    assert str(info.value) == (
        "cannot resolve host 'staging.example.invalid' of http://staging.example.invalid:8080: "
        "Name or service not known"
    )


def test_join_url_matches_locust_concatenation() -> None:
    assert join_url("http://h:1/api", "/health") == "http://h:1/api/health"
    assert join_url("http://h:1/", "health") == "http://h:1/health"
    assert join_url("http://h:1", "http://h:1/x") == "http://h:1/x"
