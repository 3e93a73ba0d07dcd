"""The one host policy: which target URLs perfconsole accepts, how they are shown, where they live.

Every entry point (console ``--host``, the start screen, config.toml ``run.host``, headless runs,
``--metrics-url`` and ``resources.metrics_url``) validates through :func:`validate_target_url`: an http or
https URL with a host and an optional port (and, for the load target, an optional base path). Anything
else is one line naming where the value came from. Userinfo (``user:password@``) is kept for Locust but
never shown: :func:`display_url` masks it. Pure: imports neither Locust nor Textual.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from perfconsole.errors import UserError

EXAMPLE = "http://staging-api:8000"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
WILDCARD_ADDRESSES = frozenset({"", "*", "0.0.0.0", "::", "[::]"})
MASK = "***"


def display_url(url: str) -> str:
    """``url`` with any userinfo masked (``http://user:***@host``), for screens, logs and saved files."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:authority_end]
    if "@" not in authority:
        return url
    userinfo, _, hostport = authority.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    masked = f"{user}:{MASK}" if colon else MASK
    return f"{scheme}://{masked}@{hostport}{rest[authority_end:]}"


def validate_target_url(value: object, where: str, *, allow_query: bool = False) -> str:
    """An http(s) URL with a host and an optional port, without a trailing slash; UserError otherwise.

    ``where`` names the source (``--host``, ``run.host`` ...). A base path is allowed (Locust prefixes
    request paths with it); a query or fragment only with ``allow_query`` (a metrics endpoint).
    """
    shown = display_url(value.strip()) if isinstance(value, str) else value
    expected = f"{where}: expected an http(s) URL such as {EXAMPLE}"
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{expected}, got {shown!r}")
    text = value.strip()
    if any(ch.isspace() for ch in text):
        raise UserError(f"{expected}, got {shown!r} (contains a space)")
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        port = parts.port
    except ValueError as exc:
        reason = "bad port" if "port" in str(exc).lower() else str(exc)
        raise UserError(f"{expected}, got {shown!r} ({reason})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UserError(f"{expected}, got {shown!r} (the scheme must be http or https)")
    if not hostname:
        raise UserError(f"{expected}, got {shown!r} (no host)")
    if port == 0:
        raise UserError(f"{expected}, got {shown!r} (bad port)")
    if not allow_query and (parts.query or parts.fragment):
        raise UserError(f"{expected}, got {shown!r} (no query or fragment in a host)")
    return text if allow_query else text.rstrip("/")


def is_loopback_host(hostname: str) -> bool:
    """True for ``localhost`` (and its subdomains) and loopback IP addresses (127.0.0.0/8, ::1)."""
    name = hostname.strip().strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def local_addresses() -> frozenset[str]:
    """IP addresses of this machine's interfaces (in this network namespace), loopback included."""
    import psutil

    found = {"127.0.0.1", "::1"}
    try:
        interfaces = psutil.net_if_addrs()
    except (OSError, psutil.Error):
        return frozenset(found)
    for addresses in interfaces.values():
        for address in addresses:
            if address.family in (socket.AF_INET, socket.AF_INET6):
                found.add(address.address.split("%", 1)[0])
    return frozenset(found)


def is_on_this_machine(ips: frozenset[str] | set[str], hostname: str = "") -> bool:
    """Whether a target (its resolved ``ips``) is served by this machine: loopback or a local interface."""
    if hostname and is_loopback_host(hostname):
        return True
    if not ips:
        return False
    local = local_addresses()
    return all(is_loopback_host(ip) or ip in local for ip in ips)


def is_wildcard_address(address: str) -> bool:
    return address.strip() in WILDCARD_ADDRESSES


def dial_address(bind_host: str) -> str:
    """Where a process on this machine connects to reach a socket bound to ``bind_host``: the address
    itself, or loopback for a wildcard bind (``0.0.0.0`` -> ``127.0.0.1``, ``::`` -> ``::1``)."""
    bind = bind_host.strip()
    if bind in ("::", "[::]"):
        return "::1"
    if is_wildcard_address(bind):
        return "127.0.0.1"
    return bind.strip("[]")


def validate_metrics_url(value: object, where: str) -> str:
    """A Prometheus endpoint: the same policy as a target, a query allowed."""
    return validate_target_url(value, where, allow_query=True)
