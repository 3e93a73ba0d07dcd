"""Options of ``perfconsole run`` and the console: Locust's own parser (``locust.argument_parser``) with
perfconsole's options added under names Locust does not use.

As ``locust`` does, the locustfile option is parsed first (``-f`` from the command line, ``LOCUST_*``
variables, ``~/.locust.conf``, ``./locust.conf``, ``./pyproject.toml [tool.locust]`` or ``--config FILE``),
the locustfile(s) are imported so that their ``events.init_command_line_parser`` listeners add custom
arguments, then everything is parsed with Locust's precedence: command line > environment > config files.
Every parse error is a ``UserError`` (one line, exit 2). Import ``locust`` before this module's functions run.
"""

from __future__ import annotations

import argparse
import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from perfconsole.engine.plan import CustomArgument
from perfconsole.errors import UserError

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""A Locust config file is a few KB; anything past this is not one."""

ENV_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("LOCUST_HOST", ("PERFCONSOLE_HOST", "TARGET_HOST")),
    ("PERFCONSOLE_PROFILE", ("LOAD_PROFILE",)),
)
"""Environment variables read as another one when that one is unset (first found wins): CI suites choose
the target and the load profile with ``TARGET_HOST`` and ``LOAD_PROFILE``."""

PERFCONSOLE_DESTS: frozenset[str] = frozenset(
    {
        "scenario",
        "workers",
        "settings_path",
        "runs_dir",
        "summary_json",
        "save",
        "note",
        "baseline",
        "health_path",
        "metrics_url",
        "target_pid",
        "target_process",
        "refresh",
        "user_class",
        "arrival_rate",
        "max_users",
        "arrival_poisson",
    }
)
"""Options of perfconsole's own: left out of the ``parsed_options`` Locust and its hooks see."""

REFUSED_OPTIONS: tuple[tuple[str, str], ...] = (
    ("worker", "--worker: this process is the master; start workers with `locust -f FILE --worker`"),
    ("config_users", "--config-users is not supported by perfconsole"),
    ("equal_weights", "--equal-weights is not supported by perfconsole"),
    ("otel", "--otel is not supported by perfconsole"),
)
"""Locust options perfconsole does not implement: one line and exit 2 rather than a silent difference."""

LOCUST_DEFAULTS_KEPT_UNSET = {
    "loglevel": "INFO",
    "expect_workers": 1,
    "expect_workers_max_wait": 0,
    "master_bind_host": "*",
    "master_bind_port": 5557,
}
"""Locust defaults parsed as None so that "not given" shows (perfconsole's defaults differ: no external
workers, a loopback bind on a free port; the console shows Locust's warnings only, in its log view);
``parsed_options`` gets Locust's values back."""


@dataclass(frozen=True)
class ParsedOptions:
    """The outcome of parsing: every option (Locust's, custom ones and perfconsole's) and the locustfiles."""

    options: argparse.Namespace
    locustfiles: tuple[Path, ...]
    """The locustfiles named by -f / --scenario / config (empty: nothing named one)."""
    argv: tuple[str, ...]
    environ: Mapping[str, str]
    add_own: Any = None
    """What added perfconsole's options to the parser (to parse the same command line again)."""
    custom_args: tuple[CustomArgument, ...] = ()
    """The locustfiles' custom arguments as a worker's command line (see :func:`custom_arguments`)."""

    def locust_namespace(self, headless: bool | None = None) -> argparse.Namespace:
        """What Locust calls ``parsed_options``: Locust's options and the locustfiles' custom arguments with
        Locust's defaults, without perfconsole's own options (workers receive it with every spawn).
        ``headless=False`` for the console, whatever a locust.conf says (Locust's runners quit, rather than
        stop, at a shape's end when it is true)."""
        values = {k: v for k, v in vars(self.options).items() if k not in PERFCONSOLE_DESTS and k != "func"}
        if headless is not None:
            values["headless"] = headless
        for key, default in LOCUST_DEFAULTS_KEPT_UNSET.items():
            if values.get(key) is None:
                values[key] = default
        return argparse.Namespace(**values)


def _raise_user_error(parser: argparse.ArgumentParser, prog: str, argv: Sequence[str] = ()) -> None:
    """Make ``parser.error`` raise a one-line UserError (with Locust's "did you mean" hint); an unknown key
    that is not on the command line came from a config file."""

    def error(message: str) -> NoReturn:
        text = " ".join(message.split())
        if "unrecognized arguments:" in text:
            bad = text.split("unrecognized arguments:")[1].strip().split()[0].split("=")[0]
            if bad.startswith("--") and not any(a.split("=")[0] == bad for a in argv):
                text = (
                    f"unknown option {bad[2:]!r} in a config file "
                    "(~/.locust.conf, ./locust.conf, ./pyproject.toml [tool.locust] or --config)"
                )
            known = [opt for action in parser._actions for opt in action.option_strings]
            close = difflib.get_close_matches(bad, known, n=1)
            if close:
                text += f" (did you mean {close[0]}?)"
        raise UserError(f"{prog}: {text}")

    parser.error = error  # type: ignore[method-assign]


def effective_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment as the parser reads it: ``TARGET_HOST``/``PERFCONSOLE_HOST`` stand for
    ``LOCUST_HOST`` and ``LOAD_PROFILE`` for ``PERFCONSOLE_PROFILE`` when those are unset."""
    env = dict(os.environ if environ is None else environ)
    for target, aliases in ENV_ALIASES:
        if env.get(target):
            continue
        for alias in aliases:
            if env.get(alias):
                env[target] = env[alias]
                break
    return env


def _given_on_command_line(argv: Sequence[str], *flags: str) -> bool:
    for arg in argv:
        if arg == "--":
            return False
        name = arg.split("=", 1)[0]
        if name in flags or any(
            f.startswith("-") and not f.startswith("--") and arg.startswith(f) for f in flags
        ):
            return True
    return False


def check_config_files(argv: Sequence[str]) -> None:
    """Locust's config files (``~/.locust.conf``, ``./locust.conf``, ``./pyproject.toml``, ``--config FILE``)
    that exist are regular UTF-8 files, or one line (exit 2): Locust's parser would print a traceback for
    bytes that are not UTF-8, and block forever on a FIFO."""
    from locust.argument_parser import DEFAULT_CONFIG_FILES

    from perfconsole.store.safe_read import read_bytes

    given = [arg.split("=", 1)[1] for arg in argv if arg.startswith("--config=")]
    given += [value for flag, value in zip(argv, argv[1:], strict=False) if flag == "--config"]
    for path in [*(Path(name).expanduser() for name in DEFAULT_CONFIG_FILES), *map(Path, given)]:
        if not os.path.lexists(path):
            continue  # a missing --config FILE is Locust's own one-line error
        data = read_bytes(path, MAX_CONFIG_BYTES)
        if len(data) > MAX_CONFIG_BYTES:
            raise UserError(f"{path}: cannot read config: over {MAX_CONFIG_BYTES // (1024 * 1024)} MB")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(f"{path}: cannot read config: not UTF-8 text (byte {exc.start})") from None


def locustfile_sources(argv: Sequence[str], environ: Mapping[str, str], prog: str) -> argparse.Namespace:
    """First pass, as Locust's ``parse_locustfile_option``: ``-f``, ``--config``, ``--scenario`` and
    ``--settings`` from every source, everything else left for the full parse."""
    from locust.argument_parser import get_empty_argument_parser

    parser = get_empty_argument_parser(add_help=False)
    parser.allow_abbrev = False
    parser.set_defaults(locustfile=None)
    parser.add_argument("--scenario", env_var="PERFCONSOLE_SCENARIO")
    parser.add_argument("--settings", dest="settings_path", env_var="PERFCONSOLE_SETTINGS")
    parser.add_argument("-h", "--help", action="store_true", default=False)
    _raise_user_error(parser, prog)
    options, _ = parser.parse_known_args(args=list(argv), env_vars=environ)
    if options.scenario and _given_on_command_line(argv, "--scenario"):
        if _given_on_command_line(argv, "-f", "--locustfile"):
            raise UserError(f"{prog}: -f/--locustfile and --scenario name the same thing: give one")
        options.locustfile = None  # a flag beats a locustfile named by the environment or a config file
    return options


def build_parser(prog: str, add_own: Any, argv: Sequence[str] = ()) -> Any:
    """Locust's full parser (its options, then perfconsole's via ``add_own(parser)``, then the custom
    arguments of every imported locustfile through ``events.init_command_line_parser``)."""
    import locust
    from locust.argument_parser import get_empty_argument_parser, setup_parser_arguments

    parser = get_empty_argument_parser(add_help=True)
    parser.prog = prog
    parser.description = f"Usage: {prog} [options] [UserClass ...]"
    parser.epilog = "Locust's options keep Locust's names and meanings; see the README for perfconsole's."
    setup_parser_arguments(parser)
    for key in LOCUST_DEFAULTS_KEPT_UNSET:
        parser.set_defaults(**{key: None})
    add_own(parser)
    _raise_user_error(parser, prog, argv)
    before = len(parser._actions)
    try:
        locust.events.init_command_line_parser.fire(parser=parser)
    except argparse.ArgumentError as exc:
        raise UserError(f"a locustfile's custom argument clashes with an existing option: {exc}") from None
    parser.perfconsole_custom_actions = tuple(parser._actions[before:])
    return parser


def custom_arguments(parser: Any, options: argparse.Namespace) -> tuple[CustomArgument, ...]:
    """The custom arguments the locustfiles added (``init_command_line_parser``) whose parsed value is not
    their default, as command-line tokens for a worker (Locust's own ``--processes`` workers are forks
    that keep them; perfconsole's workers are new processes and get them on their command line)."""
    found: list[CustomArgument] = []
    for action in getattr(parser, "perfconsole_custom_actions", ()):
        if not action.option_strings or action.dest == argparse.SUPPRESS:
            continue
        value = getattr(options, action.dest, None)
        if value is None or value == action.default:
            continue
        tokens = _tokens(action, value)
        if tokens:
            found.append(CustomArgument(tokens, secret=bool(getattr(action, "is_secret", False))))
    return tuple(found)


def _tokens(action: argparse.Action, value: Any) -> tuple[str, ...]:
    flag = max(action.option_strings, key=len)  # the long form
    if action.nargs == 0:  # store_true / store_false / store_const / count
        count = value if isinstance(action, argparse._CountAction) and isinstance(value, int) else 1
        return (flag,) * count
    if isinstance(action, argparse._AppendAction) and isinstance(value, list):
        return tuple(f"{flag}={item}" for item in value)
    if isinstance(value, list | tuple):
        return (flag, *(str(item) for item in value)) if value else ()
    return (f"{flag}={value}",)  # one token: a value starting with "-" is not read as an option


def parse(
    argv: Sequence[str],
    *,
    prog: str,
    add_own: Any,
    default_locustfiles: Any,
    environ: Mapping[str, str] | None = None,
) -> ParsedOptions:
    """Parse ``argv`` as Locust would, with perfconsole's options. ``default_locustfiles(first_pass)`` names
    the locustfiles when no source does (``--scenario``, config.toml, ``./locustfile.py``); they are
    imported before the full parse so that their custom arguments exist."""
    from perfconsole.engine.locustfiles import expand_locustfiles, preload_locustfiles

    env = effective_environ(environ)
    check_config_files(argv)
    first = locustfile_sources(argv, env, prog)
    if first.locustfile:
        paths = expand_locustfiles(first.locustfile)
    else:
        paths = tuple(default_locustfiles(first))
    if paths:
        preload_locustfiles(paths)
    parser = build_parser(prog, add_own, argv)
    options = parser.parse_args(args=list(argv), env_vars=env)
    _check_options(parser, options, prog)
    return ParsedOptions(
        options=options,
        locustfiles=paths,
        argv=tuple(argv),
        environ=env,
        add_own=add_own,
        custom_args=custom_arguments(parser, options),
    )


def _check_options(parser: Any, options: argparse.Namespace, prog: str) -> None:
    if options.stats_history_enabled and options.csv_prefix is None:
        parser.error("'--csv-full-history' requires '--csv'.")
    for dest, message in REFUSED_OPTIONS:
        if getattr(options, dest, None):
            raise UserError(f"{prog}: {message}")
    if getattr(options, "summary_json", False) and options.json:
        raise UserError(
            f"{prog}: --json (Locust's document) and --summary-json (perfconsole's) both fill stdout"
        )
    if options.processes is not None and options.processes < -1:
        raise UserError(
            f"{prog}: --processes: expected a count, or -1 for one per CPU, got {options.processes}"
        )


def reparse(parsed: ParsedOptions, more_locustfiles: Sequence[Path], *, prog: str) -> ParsedOptions:
    """The same command line parsed again once ``more_locustfiles`` are imported (their custom arguments
    join the parser): the console does this for a scenario chosen on its start screen."""
    from perfconsole.engine.locustfiles import preload_locustfiles

    preload_locustfiles(more_locustfiles)
    parser = build_parser(prog, parsed.add_own, parsed.argv)
    options = parser.parse_args(args=list(parsed.argv), env_vars=dict(parsed.environ))
    return ParsedOptions(
        options,
        tuple(more_locustfiles),
        parsed.argv,
        parsed.environ,
        parsed.add_own,
        custom_arguments(parser, options),
    )
