"""perfconsole's own options, added to Locust's parser (``perfconsole.cli.locust_args``) under names Locust
does not use (``--load-profile``: ``--profile`` is Locust's run label and keeps that meaning)."""

from __future__ import annotations

from typing import Any

DEFAULT_REFRESH_S = 1.0
"""Dashboard refresh period: gentle enough for a slow SSH link."""


def _add_common(parser: Any) -> Any:
    group = parser.add_argument_group("perfconsole options")
    group.add_argument(
        "--load-profile",
        "-p",
        dest="load_profile",
        metavar="NAME",
        env_var="PERFCONSOLE_PROFILE",
        help="a load profile from config.toml; env PERFCONSOLE_PROFILE or LOAD_PROFILE (--profile is "
        "Locust's run label)",
    )
    group.add_argument(
        "--scenario",
        metavar="NAME",
        env_var="PERFCONSOLE_SCENARIO",
        help="a scenario in scenarios/ (file stem), instead of -f",
    )
    group.add_argument(
        "--workers",
        "-w",
        metavar="N",
        env_var="PERFCONSOLE_WORKERS",
        help="local worker processes (default: one per CPU core; 0: users run in-process); --processes is "
        "Locust's name for the same",
    )
    group.add_argument(
        "--settings",
        dest="settings_path",
        metavar="PATH",
        env_var="PERFCONSOLE_SETTINGS",
        help="perfconsole settings (default: ./config.toml); --config is Locust's config file",
    )
    group.add_argument("--runs-dir", metavar="DIR", help="where run directories go (default from config)")
    group.add_argument(
        "--baseline",
        metavar="NAME",
        help="compare with this baseline (a name, 'baseline:NAME', a run id or 'latest')",
    )
    group.add_argument("--health-path", metavar="PATH", help="preflight: this path must answer 2xx first")
    group.add_argument("--metrics-url", metavar="URL", help="Prometheus endpoint of the target to scrape")
    group.add_argument("--target-pid", metavar="PID", help="the target's process to watch (CPU, RSS ...)")
    group.add_argument("--target-process", metavar="NAME", help="the target's process, by name")
    group.add_argument(
        "--arrival-rate",
        metavar="N",
        env_var="PERFCONSOLE_ARRIVAL_RATE",
        help="open model: start N task iterations per second (one @task call each) on idle users; the users' "
        "wait_time is not used; -u is the initial pool",
    )
    group.add_argument(
        "--max-users",
        metavar="N",
        help="arrival-rate mode: the pool's ceiling (default 10 x the initial pool); beyond it iterations "
        "are dropped and counted",
    )
    group.add_argument(
        "--arrival-poisson",
        action="store_true",
        default=None,
        help="arrival-rate mode: Poisson arrivals instead of constant spacing",
    )
    group.add_argument("--user-class", nargs="*", default=[], metavar="CLASS", help=argparse_suppress())
    return group


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


def add_run_options(parser: Any) -> None:
    """``perfconsole run``: the common options plus the summary, naming and note of a headless run."""
    from perfconsole.errors import exit_codes_help

    parser.epilog = f"{parser.epilog}\n\n{exit_codes_help()}"
    group = _add_common(parser)
    group.add_argument(
        "--summary-json",
        action="store_true",
        help="print perfconsole's summary as JSON on stdout, nothing else (--json prints Locust's)",
    )
    group.add_argument("--save", metavar="NAME", help="name for this run's snapshot")
    group.add_argument("--note", metavar="TEXT", help="a note pinned to this run")
    from perfconsole.cli.search_options import add_search_options

    add_search_options(group)


def add_console_options(parser: Any) -> None:
    """The console: the common options plus the dashboard's refresh period."""
    group = _add_common(parser)
    group.add_argument(
        "--refresh",
        metavar="SECONDS",
        default=str(DEFAULT_REFRESH_S),
        help=f"dashboard refresh period (default {DEFAULT_REFRESH_S:g}s)",
    )
