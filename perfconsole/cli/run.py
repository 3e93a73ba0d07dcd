"""``perfconsole run --headless``: flags Locust users know keep Locust's names."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from perfconsole.cli.options import add_distributed_arguments
from perfconsole.errors import UserError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a load test (headless for scripts and CI)",
        description="Run a load test. Exit codes: 0 all thresholds met, 1 a threshold failed, "
        "2 usage or configuration error, 3 regression against --baseline, 130 interrupted.",
    )
    parser.add_argument("--headless", action="store_true", help="no console: progress on stderr (required)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--scenario", metavar="NAME", help="a scenario in scenarios/ (file stem)")
    source.add_argument(
        "-f", "--locustfile", metavar="PATH", help="locustfile(s): a file, a directory or a comma list"
    )
    parser.add_argument("--profile", "-p", metavar="NAME", help="a load profile from config.toml")
    parser.add_argument("--host", "-H", metavar="URL", help="target base URL (default: embedded demo target)")
    parser.add_argument("-u", "--users", metavar="N", help="peak number of concurrent users")
    parser.add_argument("-r", "--spawn-rate", metavar="RATE", help="users started per second")
    parser.add_argument("-t", "--run-time", metavar="TIME", help="stop after e.g. 30s, 5m, 1h30m")
    parser.add_argument(
        "--workers", "-w", metavar="N", help="worker processes (default: one per CPU; 0 in-process)"
    )
    parser.add_argument(
        "-T", "--tags", nargs="*", default=[], metavar="TAG", help="only tasks with these tags"
    )
    parser.add_argument("-E", "--exclude-tags", nargs="*", default=[], metavar="TAG", help="skip these tags")
    parser.add_argument(
        "--user-class", nargs="*", default=[], metavar="CLASS", help="only these user classes"
    )
    parser.add_argument(
        "--summary-json",
        action="store_true",
        help="print perfconsole's summary as JSON on stdout, nothing else",
    )
    parser.add_argument(
        "--settings",
        dest="settings_path",
        metavar="PATH",
        help="perfconsole settings (default: ./config.toml)",
    )
    parser.add_argument("--runs-dir", metavar="DIR", help="where run directories go (default from config)")
    parser.add_argument("--save", metavar="NAME", help="name for this run's snapshot")
    parser.add_argument("--note", metavar="TEXT", help="a note pinned to this run")
    parser.add_argument("--baseline", metavar="NAME", help="compare with this baseline at the end (exit 3)")
    parser.add_argument("--stop-timeout", metavar="SECONDS", default="0", help="let tasks finish on stop")
    parser.add_argument("--health-path", metavar="PATH", help="preflight: this path must answer 2xx first")
    parser.add_argument("--metrics-url", metavar="URL", help="Prometheus endpoint of the target to scrape")
    parser.add_argument("--target-pid", metavar="PID", help="the target's process to watch (CPU, RSS ...)")
    parser.add_argument("--target-process", metavar="NAME", help="the target's process, by name")
    add_distributed_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from perfconsole.engine.interrupts import Interrupts

    interrupts = Interrupts().install()  # before the slow imports: a signal from now on is seen
    try:
        return _run(args, interrupts)
    finally:
        interrupts.restore()


def _run(args: argparse.Namespace, interrupts: Any) -> int:
    import locust  # noqa: F401  - first: gevent monkey-patching before anything else loads

    from perfconsole.headless.redacting_stream import redact_std_streams

    stdout, stderr = redact_std_streams()  # secrets masked on screen and in CI logs, as on disk
    try:
        return _run_headless(args, interrupts)
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = stdout, stderr


def _run_headless(args: argparse.Namespace, interrupts: Any) -> int:

    from perfconsole.cli.plan import build_plan
    from perfconsole.headless.run import HeadlessOptions, run_headless

    if not args.headless:
        raise UserError("run needs --headless (the interactive console is plain `perfconsole`)")
    settings, plan = build_plan(args, command_line=("perfconsole", *sys.argv[1:]))
    return run_headless(
        HeadlessOptions(
            plan=plan,
            settings=settings,
            json_output=args.summary_json,
            save_name=args.save,
            note=args.note,
            baseline=args.baseline,
            interrupts=interrupts,
        )
    )
