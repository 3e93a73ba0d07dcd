"""Serve the demo target with gevent's WSGI server on a loopback address until SIGTERM/SIGINT.

The caller must have run ``gevent.monkey.patch_all()`` first (the ``demo-target`` command does).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

import gevent
from gevent.event import Event
from gevent.pywsgi import WSGIServer

from perfconsole.demo_target.app import create_app
from perfconsole.demo_target.options import DemoOptions
from perfconsole.errors import UserError
from perfconsole.hosts import is_loopback_host

PARENT_CHECK_S = 1.0
"""How often the demo target checks that the process that started it is still alive."""
READY_PREFIX = "demo target listening on "
"""Start of the one line printed to stdout once the port is bound (followed by the URL)."""
STOP_TIMEOUT_S = 2.0
"""How long in-flight requests may finish after a stop signal."""


class NoDelayWSGIServer(WSGIServer):
    """gevent's WSGI server with TCP_NODELAY on each connection.

    Without it, a keep-alive client waits ~40 ms per request (Nagle's algorithm meets delayed ACKs),
    which would swamp the latency the target is configured to simulate.
    """

    def handle(self, sock: socket.socket, address: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle(sock, address)


def base_url(host: str, port: int) -> str:
    bare = host.strip("[]")
    return f"http://[{bare}]:{port}" if ":" in bare else f"http://{bare}:{port}"


def _watch_parent(parent_pid: int, stop_requested: Event) -> None:
    while os.getppid() == parent_pid:
        gevent.sleep(PARENT_CHECK_S)
    stop_requested.set()


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    options: DemoOptions | None = None,
    ready_callback: Callable[[int], None] | None = None,
    parent_pid: int | None = None,
    any_address: bool = False,
) -> None:
    """Bind ``host:port`` (0 = a free port), print the ready line, serve until SIGTERM or SIGINT, or until
    the process ``parent_pid`` is no longer our parent (it died, even by SIGKILL: no orphan is left).

    ``ready_callback`` receives the bound port. Raises UserError for a non-loopback host (unless
    ``any_address``: the operator chose an address explicitly) or a port that cannot be bound.
    """
    if not any_address and not is_loopback_host(host):
        raise UserError(
            f"demo target must listen on a loopback address (127.0.0.1, ::1, localhost), not {host!r}"
        )
    bind_host = host.strip("[]")
    server = NoDelayWSGIServer(
        (bind_host, port), create_app(options), log=None, environ={"SERVER_NAME": bind_host}
    )
    try:
        server.start()
    except OSError as exc:
        reason = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise UserError(f"demo target cannot listen on {base_url(bind_host, port)}: {reason}") from None
    stop_requested = Event()
    handlers = [
        gevent.signal_handler(signum, stop_requested.set) for signum in (signal.SIGTERM, signal.SIGINT)
    ]
    try:
        bound_port = server.server_port
        assert bound_port is not None  # a TCP listener: its address is (host, port)
        print(f"{READY_PREFIX}{base_url(bind_host, bound_port)}", flush=True)
        if ready_callback is not None:
            ready_callback(bound_port)
        if parent_pid is not None:
            watchdog = gevent.spawn(_watch_parent, parent_pid, stop_requested)
        stop_requested.wait()
        if parent_pid is not None:
            watchdog.kill(block=False)
    finally:
        for handler in handlers:
            handler.cancel()
        server.stop(timeout=STOP_TIMEOUT_S)
        sys.stdout.flush()
