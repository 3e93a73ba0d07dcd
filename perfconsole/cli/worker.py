"""``perfconsole worker -f SCENARIO --master-host HOST [--master-port P]``: a load worker for another host.

A thin wrapper over Locust's own worker (``locust -f SCENARIO --worker --master-host ...``): the process is
replaced by that worker, which also records every request in HdrHistograms and sends them with its reports,
so the master's percentiles are exact. Only Locust's protocol is used; a plain ``locust --worker`` still
joins (its figures then fall back to Locust's approximation, and the run says so).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from perfconsole.cli.demo_target import port_number
from perfconsole.errors import UserError

LOCUST_DEFAULT_MASTER_PORT = 5557


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run a Locust worker that sends exact histograms to a perfconsole master",
        description=(
            "Join a perfconsole run from this host: Locust's worker for SCENARIO, recording exact "
            "percentiles. Extra Locust options go after --, e.g. -- --processes 4."
        ),
    )
    parser.add_argument("-f", "--locustfile", dest="locustfile", required=True, metavar="SCENARIO")
    parser.add_argument("--master-host", required=True, metavar="HOST")
    parser.add_argument("--master-port", type=port_number, default=LOCUST_DEFAULT_MASTER_PORT, metavar="P")
    parser.add_argument("locust_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(func=run_worker)


def worker_command(args: argparse.Namespace) -> list[str]:
    """The command line of the worker process (Python running perfconsole's Locust worker entry point)."""
    scenario = Path(args.locustfile)
    if not scenario.is_file():
        raise UserError(f"scenario not found: {scenario}")
    extra = list(args.locust_args or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    return [
        sys.executable,
        "-m",
        "perfconsole.engine.workers.worker_main",
        "-f",
        str(scenario),
        "--worker",
        "--master-host",
        args.master_host,
        "--master-port",
        str(args.master_port),
        *extra,
    ]


def run_worker(args: argparse.Namespace) -> int:
    command = worker_command(args)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)
    return 0  # not reached
