"""``perfconsole demo-target``: serve the demo API on loopback for trying scenarios and drills."""

from __future__ import annotations

import argparse
import math
from typing import Any

from perfconsole.errors import UserError


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be an integer, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {port}")
    return port


def milliseconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected milliseconds (a number >= 0), got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"milliseconds must be a finite number >= 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"error rate must be between 0 and 1 (e.g. 0.05 for 5%), got {text!r}"
        )
    return value


def integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def pool_size(text: str) -> int:
    value = integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"pool size must be at least 1, got {value}")
    return value


DESCRIPTION = (
    "Serve the demo API (notifications, auth, shop, loans, health, /metrics) on a loopback address until "
    "interrupted. Prints 'demo target listening on URL' once ready. Latency and errors can be changed while "
    "it runs with POST /_control."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--bind-address",
        metavar="ADDR",
        help="bind this address instead, any interface of this machine (e.g. inside a test network "
        "namespace); the demo API has no authentication",
    )
    parser.add_argument("--port", type=port_number, default=0, help="port to bind (default 0: a free port)")
    parser.add_argument("--latency-ms", type=milliseconds, default=5.0, help="base latency (default 5)")
    parser.add_argument(
        "--jitter-ms", type=milliseconds, default=3.0, help="median random extra latency (default 3)"
    )
    parser.add_argument(
        "--error-rate", type=fraction, default=0.0, help="fraction of 503 answers (default 0)"
    )
    parser.add_argument(
        "--db-pool-size", type=pool_size, default=20, help="simulated DB pool connections (default 20)"
    )
    parser.add_argument("--seed", type=integer, default=None, help="seed for reproducible latency and errors")
    # set by the engine: exit when the process that started us is gone (no orphan after a SIGKILL)
    parser.add_argument("--parent-pid", type=integer, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo-target", help="serve the demo API on 127.0.0.1 (for trying scenarios)", description=DESCRIPTION
    )
    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # Cooperative sockets and sleeps before Flask or the server are imported.
    import warnings

    import gevent.monkey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gevent.monkey.MonkeyPatchWarning)
        gevent.monkey.patch_all()

    from perfconsole.demo_target.options import DemoOptions, OptionError
    from perfconsole.demo_target.server import serve

    try:
        options = DemoOptions(
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            error_rate=args.error_rate,
            db_pool_size=args.db_pool_size,
            seed=args.seed,
        )
    except OptionError as exc:
        raise UserError(str(exc)) from None
    bind = args.bind_address.strip() if args.bind_address else None
    host = bind or args.host
    serve(host=host, port=args.port, options=options, parent_pid=args.parent_pid, any_address=bool(bind))
    return 0
