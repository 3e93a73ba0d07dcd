"""``perfconsole baseline save|list|show|delete``: named baselines promoted from saved runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from perfconsole.cli.runs import add_store_options, format_runs_table, runs_dir_from, warn_broken
from perfconsole.errors import ExitCode, UserError
from perfconsole.verdicts.baseline_runs import SPREAD_METRICS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="save, list, show or delete baselines",
        description="Named baselines: copies of saved runs that later runs are compared against.",
    )
    commands = parser.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)

    save = commands.add_parser(
        "save",
        help="promote a run (or several) to a named baseline",
        description="Promote runs to baseline NAME: 'baseline save RUN NAME', or several runs "
        "'baseline save RUN RUN... NAME' (comparisons then use the spread between them; up to 10), or "
        "'baseline save RUN... NAME --append' to add runs to an existing baseline.",
    )
    save.add_argument(
        "refs",
        metavar="RUN... NAME",
        nargs="+",
        help="run ids (or unique prefixes, or 'latest'), then the baseline name",
    )
    save.add_argument("--note", metavar="TEXT", help="why this is the baseline")
    save.add_argument("--force", action="store_true", help="replace an existing baseline of that name")
    save.add_argument("--append", action="store_true", help="add the runs to an existing baseline")
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

    if len(args.refs) < 2:
        raise UserError("baseline save needs a run and a name: baseline save RUN [RUN...] NAME")
    *runs, name = args.refs
    info = save_baseline(sweep_first(args), runs, name, note=args.note, force=args.force, append=args.append)
    count = len(info.run_ids)
    held = f"runs {', '.join(info.run_ids)}" if count > 1 else f"run {info.source_run}"
    print(f"baseline {info.name!r} saved from {held}")
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
    spread = spread_table(loaded)
    if args.json:
        document = {"baseline": info.to_dict(), "summary": summary, "spread": spread}
        print(json.dumps(document, indent=2, allow_nan=False))
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
    if spread:
        lines += [
            "",
            f"  spread across {len(info.run_ids)} runs (standard deviation, % of the figure)",
            f"  {'ENDPOINT':<40} {'P50':>7} {'P95':>7} {'P99':>7} {'AVG':>7} {'RPS':>7}",
        ]
        for endpoint, figures in spread.items():
            cells = " ".join(
                f"{'-' if figures.get(m) is None else format(figures[m], '.1f') + '%':>7}"
                for m in SPREAD_METRICS
            )
            lines.append(f"  {endpoint[:40]:<40} {cells}")
    print("\n".join(lines))
    return int(ExitCode.OK)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def spread_table(loaded: Any) -> dict[str, dict[str, float | None]]:
    """Per endpoint (and the total), each figure's run-to-run spread in percent; empty for one run."""
    import math

    from perfconsole.verdicts.baseline_runs import SPREAD_METRICS, RunSpread, runs_of

    runs = runs_of(loaded)
    if not runs:
        return {}
    spread = RunSpread(runs)
    found: dict[str, dict[str, float | None]] = {}
    for endpoint in loaded.endpoints:
        figures = {m: spread.log_sd(endpoint.key, m) for m in SPREAD_METRICS}
        found[endpoint.key] = {m: None if v is None else 100 * math.expm1(v) for m, v in figures.items()}
    return found


def _duration(value: object) -> str:
    from perfconsole.store.safe_read import plausible_duration

    seconds = plausible_duration(value)
    return "-" if seconds is None else f"{seconds:.0f}s"


def run_delete(args: argparse.Namespace) -> int:
    from perfconsole.store.baselines import delete_baseline

    info = delete_baseline(sweep_first(args), args.name)
    print(f"baseline {info.name!r} deleted (run {info.source_run} is kept)")
    return int(ExitCode.OK)
