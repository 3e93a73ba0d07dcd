"""Command-line entry point: ``perfconsole [console options]`` or ``perfconsole COMMAND ...``.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds a parser whose
``func(args) -> int`` runs the command. ``UserError`` becomes one line on stderr and exit 2. Whatever a
command prints passes through perfconsole.headless.redacting_stream (no escape sequence, control character
or secret reaches the terminal).
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

    parser = _Parser(prog="perfconsole")
    parser.add_argument("--version", action="version", version=f"perfconsole {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.description = (
        "Operate Locust load tests from the terminal. `perfconsole [options]` opens the console "
        "(`perfconsole console --help` for its options)."
    )
    for name in ("console", *COMMAND_MODULES):
        importlib.import_module(f"perfconsole.cli.{name}").register(subparsers)
    return parser


LOCUST_PARSED = {"run": "perfconsole.cli.run", "console": "perfconsole.cli.console"}
"""Commands parsed by Locust's own parser (``perfconsole.cli.locust_args``); plain ``perfconsole [options]``
is the console."""


def _locust_parsed_command(args: list[str]) -> tuple[str, list[str]] | None:
    if args and args[0] in LOCUST_PARSED:
        return LOCUST_PARSED[args[0]], args[1:]
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        return LOCUST_PARSED["console"], args
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from perfconsole.headless.redacting_stream import shown_std_streams

    with shown_std_streams():
        return _main(list(sys.argv[1:] if argv is None else argv))


def _main(args_list: list[str]) -> int:
    import importlib

    try:
        if args_list[:1] in (["-h"], ["--help"]):  # the commands, then the console's options
            print(build_parser().format_help())
            args_list = ["console", "--help"]
        command = _locust_parsed_command(args_list)
        if command is not None:
            module, rest = command
            return int(importlib.import_module(module).main(rest))
        parser = build_parser()
        args = parser.parse_args(args_list)
        func = getattr(args, "func", None)
        if func is None:
            parser.print_help(sys.stderr)
            return int(ExitCode.USAGE)
        return int(func(args))
    except UserError as exc:
        print(f"perfconsole: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("perfconsole: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
