"""The one builder of a worker's Locust arguments: custom arguments from their parsed values (any source),
secrets masked only in the printed command, tags and --reset-stats."""

from __future__ import annotations

import argparse
from pathlib import Path

import locust

from perfconsole.cli.locust_args import build_parser, custom_arguments
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.workers.argv import worker_locust_args


def _custom(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--my-argument", default="")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--flag", action="store_true")
    parser.add_argument("--hosts", nargs="+", default=[])
    parser.add_argument("--password", default="", is_secret=True)  # type: ignore[call-arg]
    parser.add_argument("--unused", default="keep")


def test_custom_arguments_reach_the_worker_command_line() -> None:
    locust.events.init_command_line_parser.add_listener(_custom)
    try:
        parser = build_parser("perfconsole run", lambda p: None)
    finally:
        locust.events.init_command_line_parser.remove_listener(_custom)
    argv = ["--my-argument", "-5 x", "--count", "3", "--flag", "--hosts", "a", "b", "--password", "s3cret"]
    options = parser.parse_args(argv)
    found = custom_arguments(parser, options)
    assert [a.tokens for a in found] == [
        ("--my-argument=-5 x",),
        ("--count=3",),
        ("--flag",),
        ("--hosts", "a", "b"),
        ("--password=s3cret",),
    ]
    plan = RunPlan(
        scenario_path=Path("x.py"),
        tags=("api",),
        custom_args=found,
        parsed_options=argparse.Namespace(reset_stats=True),
    )
    run = worker_locust_args(plan)
    assert run[:4] == ("--tags", "api", "--reset-stats", "--my-argument=-5 x")
    assert "--password=s3cret" in run
    shown = worker_locust_args(plan, shown=True)
    assert "--password=***" in shown and not any("s3cret" in t for t in shown)
    # the worker parses them back to the same values (Locust's parser, the same custom arguments)
    again = parser.parse_args(list(run[3:]))
    assert (again.my_argument, again.count, again.flag, again.hosts, again.password) == (
        "-5 x",
        3,
        True,
        ["a", "b"],
        "s3cret",
    )
