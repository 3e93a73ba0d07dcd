"""``perfconsole baseline save|list|show|delete``: named baselines promoted from saved runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from perfconsole.cli.runs import add_store_options, format_runs_table, runs_dir_from, warn_broken
from perfconsole.errors import ExitCode


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="save, list, show or delete baselines",
        description="Named baselines: copies of saved runs that later runs are compared against.",
    )
    commands = parser.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)

    save = commands.add_parser("save", help="promote a run to a named baseline")
    save.add_argument("run", metavar="RUN", help="run id (or unique prefix, or 'latest')")
    save.add_argument("name", metavar="NAME", help="baseline name: letters, digits, '-', '_', '.'")
    save.add_argument("--note", metavar="TEXT", help="why this is the baseline")
    save.add_argument("--force", action="store_true", help="replace an existing baseline of that name")
    add_store_options(save)
    save.set_defaults(func=run_save)

    listing = commands.add_parser("list", help="list baselines, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    add_store_options(listing)
    listing.set_defaults(func=run_list)

    show = commands.add_parser("show", help="show a baseline's source run and figures")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print JSON on stdout")
    add_store_options(show)
    show.set_defaults(func=run_show)

    delete = commands.add_parser("delete", help="delete a baseline (the source run is kept)")
    delete.add_argument("name", metavar="NAME")
    add_store_options(delete)
    delete.set_defaults(func=run_delete)


def sweep_first(args: argparse.Namespace) -> Path:
    """The runs directory, swept (as before every command that writes the store): leftovers of killed
    saves recovered, kept aside or removed, each reported in one line."""
    from perfconsole.application.sweep import sweep_leftovers

    runs_dir = runs_dir_from(args)
    for line in sweep_leftovers(runs_dir.resolve()):
        print(f"perfconsole: {line}", file=sys.stderr, flush=True)
    return runs_dir


def run_save(args: argparse.Namespace) -> int:
    from perfconsole.store.baselines import save_baseline

    info = save_baseline(sweep_first(args), args.run, args.name, note=args.note, force=args.force)
    print(f"baseline {info.name!r} saved from run {info.source_run}")
    return int(ExitCode.OK)


def run_list(args: argparse.Namespace) -> int:
    from perfconsole.store.baselines import list_baselines

    broken: list[str] = []
    baselines = list_baselines(runs_dir_from(args), broken=broken)
    warn_broken(broken)
    if args.json:
        print(json.dumps({"baselines": [b.to_dict() for b in baselines], "skipped": broken}, indent=2))
    else:
        sys.stdout.write(format_runs_table([], baselines).split("\n", 2)[2])
    return int(ExitCode.OK)


def run_show(args: argparse.Namespace) -> int:
    from perfconsole.headless.summary_json import summary_dict
    from perfconsole.store.baselines import get_baseline_info, load_baseline

    runs_dir = runs_dir_from(args)
    info = get_baseline_info(runs_dir, args.name)
    loaded = load_baseline(runs_dir, args.name)
    summary = summary_dict(loaded.result)
    if args.json:
        print(json.dumps({"baseline": info.to_dict(), "summary": summary}, indent=2, allow_nan=False))
        return int(ExitCode.OK)
    created = info.created_at.isoformat() if info.created_at else "-"
    lines = [
        f"baseline {info.name}",
        f"  from run:  {info.source_run}",
        f"  created:   {created}",
        f"  note:      {info.note or '-'}",
        f"  profile:   {loaded.result.profile or '-'}   host: {summary['host']}",
        f"  duration:  {_duration(summary['duration_s'])}   status: {summary['status']}",
        "",
        f"  {'ENDPOINT':<40} {'REQS':>8} {'FAIL%':>6} {'RPS':>8} {'P50':>6} {'P95':>6} {'P99':>6}",
    ]
    for e in [*summary["endpoints"], summary["total"]]:

        def ms(key: str, e: dict[str, Any] = e) -> str:
            value = e.get(key)
            return f"{value:.0f}" if isinstance(value, int | float) else "-"

        lines.append(
            f"  {e['endpoint'][:40]:<40} {e['requests']:>8} {e['error_rate_pct']:>6.2f} "
            f"{(e['rps'] or 0.0):>8.1f} {ms('p50_ms'):>6} {ms('p95_ms'):>6} {ms('p99_ms'):>6}"
        )
    print("\n".join(lines))
    return int(ExitCode.OK)


def _duration(value: object) -> str:
    from perfconsole.store.safe_read import plausible_duration

    seconds = plausible_duration(value)
    return "-" if seconds is None else f"{seconds:.0f}s"


def run_delete(args: argparse.Namespace) -> int:
    from perfconsole.store.baselines import delete_baseline

    info = delete_baseline(sweep_first(args), args.name)
    print(f"baseline {info.name!r} deleted (run {info.source_run} is kept)")
    return int(ExitCode.OK)
