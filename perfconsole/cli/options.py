"""Option groups shared by the headless ``run`` command and the console (light imports only: the parser
is built before ``import locust``)."""

from __future__ import annotations

import argparse
from typing import Any

from perfconsole.config import validate_duration, validate_workers
from perfconsole.errors import UserError


def add_distributed_arguments(parser: argparse.ArgumentParser) -> None:
    """Options for Locust's own distributed engine: workers on other hosts join this process's master."""
    group = parser.add_argument_group("distributed (Locust's own master/worker engine)")
    group.add_argument(
        "--expect-workers", metavar="N", help="wait for N workers in all (beyond --workers: other hosts)"
    )
    group.add_argument("--expect-workers-max-wait", metavar="SECONDS", help="how long to wait (default 60)")
    group.add_argument("--master-bind-host", metavar="HOST", help="address workers connect to")
    group.add_argument("--master-bind-port", metavar="PORT", help="port workers connect to (default 5557)")


def distributed_options(args: argparse.Namespace) -> dict[str, Any]:
    """RunPlan fields from the distributed options, validated (one-line errors)."""
    expect = getattr(args, "expect_workers", None)
    expect_workers = validate_workers(expect, "--expect-workers") if expect is not None else 0
    max_wait = getattr(args, "expect_workers_max_wait", None)
    max_wait_s = validate_duration(max_wait, "--expect-workers-max-wait") if max_wait is not None else 60.0
    bind_port = getattr(args, "master_bind_port", None)
    if bind_port is not None and (not str(bind_port).isdigit() or not 0 < int(bind_port) < 65536):
        raise UserError(f"--master-bind-port: expected a port from 1 to 65535, got {bind_port!r}")
    return {
        "expect_workers": expect_workers,
        "expect_workers_max_wait_s": max_wait_s,
        "master_bind_host": getattr(args, "master_bind_host", None) or "127.0.0.1",
        "master_bind_port": int(bind_port) if bind_port is not None else (5557 if expect_workers else 0),
    }
