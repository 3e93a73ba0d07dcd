"""``perfconsole run --headless``: Locust's options with Locust's names, meanings and config sources, plus
perfconsole's own (see ``perfconsole.cli.locust_args`` and ``perfconsole.cli.options``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perfconsole.errors import UserError

PROG = "perfconsole run"


def register(subparsers: Any) -> None:
    """Listed in ``perfconsole --help``; ``perfconsole run ...`` is parsed by Locust's parser (``main``)."""
    subparsers.add_parser(
        "run",
        help="run a load test (headless for scripts and CI); `perfconsole run --help` for its options",
        add_help=False,
    )


def parse_run_options(argv: Sequence[str]) -> Any:
    """Locust's parser with perfconsole's run options; the locustfiles imported."""
    from perfconsole.cli.locust_args import parse
    from perfconsole.cli.options import add_run_options
    from perfconsole.engine.plan_builder import default_locustfiles, settings_for

    return parse(
        argv,
        prog=PROG,
        add_own=add_run_options,
        default_locustfiles=lambda first: default_locustfiles(first, settings_for(first)),
    )


def available_user_classes(locustfiles: Sequence[Path]) -> dict[str, type]:
    """Every user class of the locustfiles (imported once, by the engine's loader), by name."""
    from perfconsole.engine.locustfiles import preload_locustfiles

    return dict(preload_locustfiles(locustfiles)[0])


def check_user_classes(options: argparse.Namespace, locustfiles: Sequence[Path]) -> None:
    """Positional user class names (Locust's) must exist: one line before anything starts."""
    from perfconsole.engine.locustfiles import select_user_classes

    wanted = [*(options.user_classes or ()), *(getattr(options, "user_class", None) or ())]
    where = ",".join(str(p) for p in locustfiles)
    select_user_classes(available_user_classes(locustfiles), wanted, where)


def print_task_ratios(options: argparse.Namespace, locustfiles: Sequence[Path]) -> int:
    """Locust's --show-task-ratio / --show-task-ratio-json, printed as Locust prints them."""
    from locust.user.inspectuser import print_task_ratio, print_task_ratio_json

    known = available_user_classes(locustfiles)
    wanted = [*(options.user_classes or ()), *(getattr(options, "user_class", None) or ())]
    user_classes = [known[name] for name in wanted] if wanted else list(known.values())
    if options.show_task_ratio:
        print("\n Task ratio per User class")
        print("-" * 80)
        print_task_ratio(user_classes, options.num_users, False)
        print("\n Total task ratio")
        print("-" * 80)
        print_task_ratio(user_classes, options.num_users, True)
    else:
        print_task_ratio_json(user_classes, options.num_users)
    return 0


def main(argv: Sequence[str]) -> int:
    from perfconsole.application.interrupts import Interrupts

    interrupts = Interrupts().install()  # before the slow imports: a signal from now on is seen
    try:
        return _main(argv, interrupts)
    finally:
        interrupts.restore()


def _main(argv: Sequence[str], interrupts: Any) -> int:
    import locust  # noqa: F401  - first: gevent monkey-patching before anything else loads

    from perfconsole.headless.redacting_stream import redact_std_streams

    stdout, stderr = redact_std_streams()  # secrets masked on screen and in CI logs, as on disk
    try:
        return _run_headless(argv, interrupts)
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = stdout, stderr


def _run_headless(argv: Sequence[str], interrupts: Any) -> int:
    from perfconsole.engine.plan_builder import build_plan, settings_for
    from perfconsole.headless.run import PROGRESS_INTERVAL_S, HeadlessOptions, run_headless

    parsed = parse_run_options(argv)
    options = parsed.options
    if options.list_commands:  # Locust's -l/--list
        print("Available Users:")
        for name in available_user_classes(parsed.locustfiles):
            print("    " + name)
        return 0
    check_user_classes(options, parsed.locustfiles)
    if options.show_task_ratio or options.show_task_ratio_json:
        return print_task_ratios(options, parsed.locustfiles)
    if not options.headless:
        raise UserError("run needs --headless (the interactive console is plain `perfconsole`)")
    if not options.skip_log_setup:
        from locust.log import setup_logging  # Locust's log lines: its format, level (INFO) and place

        setup_logging(options.loglevel or "INFO", options.logfile)
        quiet_library_logs()
    settings = settings_for(options)
    from perfconsole.cli.search_options import required_capacity, search_from_options

    search = search_from_options(options, settings)
    plan = build_plan(
        options,
        settings,
        parsed.locustfiles,
        command_line=("perfconsole", "run", *argv),
        parsed_options=parsed.locust_namespace(),
        custom_args=parsed.custom_args,
    )
    if search is not None and search[0].value == "rate" and plan.arrival is None:
        from dataclasses import replace

        from perfconsole.engine.arrival.plan import ArrivalPlan

        plan = replace(plan, arrival=ArrivalPlan(rate=search[1].start))  # open model from the first moment
    return run_headless(
        HeadlessOptions(
            plan=plan,
            settings=settings,
            json_output=options.summary_json,
            save_name=options.save,
            note=options.note,
            baseline=options.baseline,
            interrupts=interrupts,
            exit_code_on_error=options.exit_code_on_error,
            progress_interval_s=float("inf") if options.only_summary else PROGRESS_INTERVAL_S,
            search=search,
            require_capacity=required_capacity(options),
        )
    )


QUIET_LOGGERS = ("httpx", "httpcore")
"""Libraries perfconsole itself uses (the preflight's HTTP client) whose INFO lines Locust never shows."""


def quiet_library_logs() -> None:
    import logging

    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.DEBUG:
            logger.setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
