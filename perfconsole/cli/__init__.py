"""Command-line entry point: ``perfconsole [console options]`` or ``perfconsole COMMAND ...``.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds a parser whose
``func(args) -> int`` runs the command. ``UserError`` becomes one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from perfconsole import __version__
from perfconsole.errors import ExitCode, UserError

COMMAND_MODULES = ("run", "demo_target", "compare", "baseline", "runs", "worker")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2 (argparse's own code)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(prog="perfconsole", description="Operate Locust load tests from the terminal.")
    parser.add_argument("--version", action="version", version=f"perfconsole {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    try:
        console = importlib.import_module("perfconsole.cli.console")
        console.register(subparsers, parser)
    except ModuleNotFoundError as exc:
        if exc.name != "perfconsole.cli.console":
            raise
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"perfconsole.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"perfconsole.cli.{name}":
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        func = getattr(args, "func", None)
        if func is None:
            parser.print_help(sys.stderr)
            return int(ExitCode.USAGE)
        return int(func(args))
    except UserError as exc:
        from perfconsole.store.redact import redact_text

        print(f"perfconsole: error: {redact_text(str(exc))}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("perfconsole: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
