"""``perfconsole [options]`` and ``perfconsole console [options]``: the interactive Textual console.

Its options come from the same sources as ``perfconsole run``: Locust's parser (command line, ``LOCUST_*``
variables, locust.conf, pyproject.toml, ``--config``) with perfconsole's options; a locust.conf in the working
directory preselects its locustfile, host and tags on the start screen, and a locustfile's custom arguments
can be given on the command line. ``import locust`` comes first (gevent monkey-patching), then the TUI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perfconsole.errors import UserError

PROG = "perfconsole"


def register(subparsers: Any) -> None:
    """Listed in ``perfconsole --help``; the console's options are parsed by Locust's parser (``main``)."""
    subparsers.add_parser(
        "console",
        help="open the interactive console (the default); `perfconsole console --help`",
        add_help=False,
    )


def parse_refresh(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.1 <= value <= 60:
        raise UserError(f"--refresh: expected seconds from 0.1 to 60, got {text!r}")
    return value


def console_locustfiles(first: argparse.Namespace) -> tuple[Path, ...]:
    """With no locustfile named by a Locust source: ``--scenario`` or Locust's ``./locustfile.py`` (else the
    start screen opens on config.toml's default scenario, imported only when it runs)."""
    from perfconsole.engine.scenario import default_scenarios_dir, resolve_scenario

    if first.scenario:
        return (resolve_scenario(first.scenario, default_scenarios_dir()),)
    if Path("locustfile.py").is_file():
        return (Path("locustfile.py").resolve(),)
    return ()


def parse_console_options(argv: Sequence[str]) -> Any:
    from perfconsole.cli.locust_args import parse
    from perfconsole.cli.options import add_console_options

    return parse(argv, prog=PROG, add_own=add_console_options, default_locustfiles=console_locustfiles)


def plan_sources(parsed: Any) -> Any:
    """For the scenario the start screen chose: its locustfiles (all of them for the command line's) and
    Locust's parsed options, parsed again with that scenario imported so its custom arguments exist."""
    from perfconsole.cli.locust_args import reparse
    from perfconsole.engine.locustfiles import discard_preloaded

    named = tuple(p.resolve() for p in parsed.locustfiles)

    def sources(path: Path) -> tuple[tuple[Path, ...], argparse.Namespace, tuple[Any, ...]]:
        chosen = Path(path).resolve()
        if named and chosen == named[0]:
            return named, parsed.locust_namespace(headless=False), parsed.custom_args
        discard_preloaded(named)  # its hooks must not fire in another scenario's run
        again = reparse(parsed, (chosen,), prog=PROG)
        return (chosen,), again.locust_namespace(headless=False), again.custom_args

    return sources


def main(argv: Sequence[str]) -> int:
    """Open the console; every way out (quit, SIGTERM, SIGHUP, SIGINT) saves an unsaved run (interrupted
    if users were running) and stops the run and its processes."""
    app, settings = make_console(argv)
    from perfconsole.application.sweep import sweep_leftovers
    from perfconsole.cli.console_exit import ConsoleExit
    from perfconsole.store.run_save import check_runs_dir

    check_runs_dir(settings.runs_dir.resolve())  # a run's results can be saved: checked before any starts
    for line in sweep_leftovers(settings.runs_dir.resolve()):
        print(f"perfconsole: {line}", file=sys.stderr, flush=True)

    return ConsoleExit(app).run()


def make_console(argv: Sequence[str]) -> tuple[Any, Any]:
    """The console app for a command line (options from every Locust source), and its settings."""
    import locust  # noqa: F401  - first: gevent monkey-patching before asyncio and Textual load

    from perfconsole.cli.run import check_user_classes
    from perfconsole.engine.plan_builder import build_plan, resolve_workers, settings_for

    parsed = parse_console_options(argv)
    options = parsed.options
    settings = settings_for(options)
    refresh_s = parse_refresh(options.refresh)
    if parsed.locustfiles:
        check_user_classes(options, parsed.locustfiles)
    # every option checked now, as for a headless run (one line and exit 2 before the screen opens)
    build_plan(options, settings, parsed.locustfiles or (Path("locustfile.py"),))
    given_workers = options.workers is not None or options.processes is not None
    workers = resolve_workers(options, settings) if given_workers else None
    host = options.host or None

    from perfconsole.tui.app import make_app
    from perfconsole.tui.session_api import engine_session_factory

    app = make_app(
        settings,
        locustfile=parsed.locustfiles[0] if parsed.locustfiles else None,
        scenario=None,
        profile=options.load_profile,
        host=host,
        workers=workers,
        refresh_s=refresh_s,
        session_factory=engine_session_factory(settings, options, plan_sources(parsed)),
        baseline=options.baseline,
        launch_options=options,
    )
    return app, settings
