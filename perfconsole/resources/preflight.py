"""Checks before the first user starts: the host URL is well-formed, resolves and answers.

Only the URLs given are contacted (no redirects followed, no proxy from the environment). Failures raise
:class:`perfconsole.errors.UserError` with one line saying what failed.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from perfconsole.errors import UserError
from perfconsole.hosts import display_url, validate_target_url
from perfconsole.resources.scraper import describe_http_error

Resolver = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class PreflightResult:
    """What the checks saw (for the console's status line)."""

    url: str
    """The URL that answered (the health URL if one was checked)."""
    status_code: int
    addresses: tuple[str, ...]


def join_url(host: str, path: str) -> str:
    """``host`` + ``path`` as Locust builds request URLs (absolute ``path`` URLs are kept)."""
    if urlsplit(path).scheme:
        return path
    return host.rstrip("/") + "/" + path.lstrip("/")


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of a URL that passes the host policy (:mod:`perfconsole.hosts`), or UserError."""
    if not url.strip():
        raise UserError("no host URL given: pass --host http://host:port or set host in config.toml")
    parts = urlsplit(validate_target_url(url, "host", allow_query=True))
    return parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80)


def resolve(host: str, port: int, url: str, resolver: Resolver = socket.getaddrinfo) -> tuple[str, ...]:
    """IP addresses of ``host``, or UserError naming the host and the resolver's reason."""
    try:
        infos = resolver(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.args[1] if isinstance(exc, socket.gaierror) and len(exc.args) > 1 else str(exc)
        raise UserError(f"cannot resolve host {host!r} of {display_url(url)}: {reason}") from None
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def preflight(
    host_url: str,
    *,
    health_path: str | None = None,
    timeout_s: float = 5.0,
    metrics_url: str | None = None,
    resolver: Resolver = socket.getaddrinfo,
    client: httpx.Client | None = None,
) -> PreflightResult:
    """Check ``host_url`` (and ``health_path`` under it, which must answer 2xx) within ``timeout_s``.

    Without a health path any HTTP answer counts: the target is up. With ``metrics_url`` the metrics page
    must answer 200 too. Raises UserError with one line on the first failure.
    """
    host, port = check_url(host_url)
    addresses = resolve(host, port, host_url, resolver)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout_s, trust_env=False, follow_redirects=False)
    try:
        url = join_url(host_url, health_path) if health_path else host_url
        if health_path:
            check_url(url)
        response = _get(http, url, timeout_s)
        if health_path and not 200 <= response.status_code < 300:
            location = response.headers.get("location")
            redirect = f" (redirect to {location})" if location and 300 <= response.status_code < 400 else ""
            raise UserError(f"health check {display_url(url)} answered {response.status_code}{redirect}")
        if metrics_url:
            check_url(metrics_url)
            metrics = _get(http, metrics_url, timeout_s)
            if metrics.status_code != 200:
                raise UserError(f"metrics {display_url(metrics_url)} answered {metrics.status_code}")
        return PreflightResult(url, response.status_code, addresses)
    finally:
        if own_client:
            http.close()


def _get(http: httpx.Client, url: str, timeout_s: float) -> httpx.Response:
    try:
        return http.get(url, timeout=timeout_s)
    except httpx.TimeoutException:
        raise UserError(f"{display_url(url)} did not answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise UserError(describe_http_error(display_url(url), exc)) from None
