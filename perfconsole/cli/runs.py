"""``perfconsole runs [NAME] [--json]``: saved runs and baselines, newest first, with key figures and notes.

Also home of the options the store commands share (``--runs-dir``, ``--settings``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perfconsole.errors import ExitCode


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--runs-dir`` and ``--settings``, shared by runs/compare/baseline."""
    parser.add_argument(
        "--runs-dir", metavar="DIR", help="runs directory (default: runs_dir from config.toml)"
    )
    parser.add_argument(
        "--settings",
        dest="settings_path",
        metavar="PATH",
        help="perfconsole settings (default: ./config.toml)",
    )


def load_settings_for(args: argparse.Namespace) -> Any:
    from perfconsole.config import load_settings

    return load_settings(Path(args.settings_path) if args.settings_path else None)


def runs_dir_from(args: argparse.Namespace) -> Path:
    """The runs directory: ``--runs-dir`` if given, else the settings' ``runs_dir``."""
    if args.runs_dir:
        return Path(args.runs_dir)
    return Path(load_settings_for(args).runs_dir)


def warn_broken(broken: list[str]) -> None:
    for message in broken:
        print(f"perfconsole: warning: skipped {message}", file=sys.stderr)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list saved runs and baselines",
        description="List saved runs and baselines, newest first, with key figures and notes.",
    )
    parser.add_argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="only runs saved with this name (--save NAME)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON on stdout instead of a table")
    add_store_options(parser)
    parser.set_defaults(func=run)


def _num(summary: Mapping[str, Any], key: str, fmt: str) -> str:
    """A figure for the table; anything odd (NaN, a float count, a string) shows as ``-``."""
    from perfconsole.store.safe_read import finite

    value = finite(summary.get(key))
    if value is None or abs(value) >= 1e15:
        return "-"
    return format(round(value) if fmt == "d" else value, fmt)


def _one_line(text: str | None, width: int = 40) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "~"


def format_runs_table(runs: list[Any], baselines: list[Any]) -> str:
    """Text listing of :class:`RunInfo` and :class:`BaselineInfo` items."""
    lines: list[str] = []
    header = (
        f"{'STARTED (UTC)':<16}  {'DUR':>6}  {'REQS':>8}  {'FAIL%':>6}  {'RPS':>8}  "
        f"{'P95':>7}  {'P99':>7}  {'RESULT':<11}"
    )

    def figures(info: Any) -> str:
        started = info.started_at.strftime("%Y-%m-%d %H:%M") if info.started_at else "-"
        duration = f"{info.duration_s:.0f}s" if info.duration_s is not None else "-"
        result = "interrupted" if info.interrupted else ("passed" if info.thresholds_passed else "FAILED")
        s = info.summary
        return (
            f"{started:<16}  {duration:>6}  {_num(s, 'requests', 'd'):>8}  "
            f"{_num(s, 'error_rate_pct', '.2f'):>6}  "
            f"{_num(s, 'rps', '.1f'):>8}  {_num(s, 'p95_ms', '.0f'):>7}  {_num(s, 'p99_ms', '.0f'):>7}  "
            f"{result:<11}"
        )

    lines.append(f"RUNS ({len(runs)})")
    if runs:
        width = max(len("ID"), *(len(r.run_id) for r in runs))
        lines.append(f"{'ID':<{width}}  {header}  NOTE")
        for info in runs:
            lines.append(f"{info.run_id:<{width}}  {figures(info)}  {_one_line(info.note)}".rstrip())
    lines.append("")
    lines.append(f"BASELINES ({len(baselines)})")
    if baselines:
        width = max(len("NAME"), *(len(b.name) for b in baselines))
        lines.append(f"{'NAME':<{width}}  {header}  FROM RUN / NOTE")
        for b in baselines:
            note = f"{b.source_run} {_one_line(b.note)}"
            lines.append(f"{b.name:<{width}}  {figures(b.run)}  {note}".rstrip())
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from perfconsole.store.baselines import list_baselines
    from perfconsole.store.runs import list_runs

    runs_dir = runs_dir_from(args)
    broken: list[str] = []
    runs = list_runs(runs_dir, broken=broken)
    baselines = list_baselines(runs_dir, broken=broken)
    warn_broken(broken)
    if args.name:
        from perfconsole.errors import StoreError
        from perfconsole.store.names import validate_name

        validate_name(args.name, "run name")
        runs = [info for info in runs if info.name == args.name]
        baselines = [b for b in baselines if b.run.name == args.name]
        if not runs:
            raise StoreError(f"no run named {args.name!r} in {runs_dir}")
    if args.json:
        payload = {
            "runs_dir": str(runs_dir),
            "runs": [r.to_dict() for r in runs],
            "baselines": [b.to_dict() for b in baselines],
            "skipped": broken,
        }
        print(json.dumps(payload, indent=2))
    else:
        sys.stdout.write(format_runs_table(runs, baselines))
    return int(ExitCode.OK)
