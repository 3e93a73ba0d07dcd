"""``perfconsole`` (no command) and ``perfconsole console``: the interactive Textual console.

Imports neither Locust nor Textual at module level: the parser is built for every command. ``run``
imports ``locust`` first (gevent monkey-patching), then the TUI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from perfconsole.cli.options import add_distributed_arguments, distributed_options
from perfconsole.errors import UserError

DEFAULT_REFRESH_S = 1.0
"""Dashboard refresh period: gentle enough for a slow SSH link."""


def add_console_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-f", "--locustfile", metavar="PATH", help="a locustfile to offer first")
    source.add_argument("--scenario", metavar="NAME", help="preselect a scenario in scenarios/ (file stem)")
    parser.add_argument("--profile", metavar="NAME", help="preselect a profile from config.toml")
    parser.add_argument(
        "--host", metavar="URL", help="target base URL, http(s)://HOST[:PORT] (default: demo target)"
    )
    parser.add_argument(
        "--workers", metavar="N", help="worker processes (default: one per CPU; 0: in-process)"
    )
    parser.add_argument(
        "--settings",
        dest="settings_path",
        metavar="PATH",
        help="perfconsole settings (default: ./config.toml)",
    )
    parser.add_argument(
        "--target-pid",
        metavar="PID",
        help="the target's process to watch (default: the host port's listener)",
    )
    parser.add_argument("--target-process", metavar="NAME", help="the target's process, by name")
    parser.add_argument("--metrics-url", metavar="URL", help="the target's Prometheus endpoint to scrape")
    parser.add_argument(
        "--baseline",
        metavar="NAME",
        help="compare live with this baseline (a name, 'baseline:NAME', a run id or 'latest')",
    )
    parser.add_argument(
        "--refresh",
        metavar="SECONDS",
        default=str(DEFAULT_REFRESH_S),
        help=f"dashboard refresh period (default {DEFAULT_REFRESH_S:g}s)",
    )
    add_distributed_arguments(parser)


def register(subparsers: Any, parser: argparse.ArgumentParser) -> None:
    """Console options on the top-level parser (plain ``perfconsole``) and a ``console`` command."""
    add_console_options(parser)
    parser.set_defaults(func=run)
    console = subparsers.add_parser("console", help="open the interactive console (the default)")
    add_console_options(console)
    console.set_defaults(func=run)


def parse_refresh(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.1 <= value <= 60:
        raise UserError(f"--refresh: expected seconds from 0.1 to 60, got {text!r}")
    return value


def parse_target_pid(text: str | None) -> int | None:
    """``--target-pid``: a positive process id (whether it runs is checked when the run is prepared)."""
    if text is None:
        return None
    if not text.strip().isdigit() or int(text) <= 0:
        raise UserError(f"--target-pid: expected a process id such as 4242, got {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    """Open the console; every way out (quit, SIGTERM, SIGHUP, SIGINT) saves an unsaved run (interrupted
    if users were running) and stops the run and its processes."""
    import locust  # noqa: F401  - first: gevent monkey-patching before asyncio and Textual load

    from perfconsole.cli.plan import load_cli_settings
    from perfconsole.config import validate_workers
    from perfconsole.hosts import validate_metrics_url, validate_target_url

    settings = load_cli_settings(args)
    refresh_s = parse_refresh(args.refresh)
    workers = validate_workers(args.workers, "--workers") if args.workers is not None else None
    host = validate_target_url(args.host, "--host") if args.host else None
    locustfile = Path(args.locustfile) if args.locustfile else None
    if locustfile is not None and not locustfile.is_file():
        raise UserError(f"{locustfile}: no such locustfile")
    target_pid = parse_target_pid(getattr(args, "target_pid", None))
    target_process = (getattr(args, "target_process", None) or "").strip() or None
    metrics_url = (
        validate_metrics_url(args.metrics_url, "--metrics-url")
        if getattr(args, "metrics_url", None)
        else None
    )

    from perfconsole.tui.app import make_app
    from perfconsole.tui.session_api import LaunchOptions

    app = make_app(
        settings,
        locustfile=locustfile,
        scenario=args.scenario,
        profile=args.profile,
        host=host,
        workers=workers,
        refresh_s=refresh_s,
        launch_options=LaunchOptions(target_pid, target_process, metrics_url, distributed_options(args)),
        baseline=getattr(args, "baseline", None),
    )
    from perfconsole.application.sweep import sweep_leftovers
    from perfconsole.cli.console_exit import ConsoleExit
    from perfconsole.store.runs import check_runs_dir

    check_runs_dir(settings.runs_dir.resolve())  # a run's results can be saved: checked before any starts
    for line in sweep_leftovers(settings.runs_dir.resolve()):
        print(f"perfconsole: {line}", file=sys.stderr, flush=True)

    return ConsoleExit(app).run()
