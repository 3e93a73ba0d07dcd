"""``perfconsole compare BASELINE_OR_RUN RUN [--json]``: regression table; exit 11 on regression, 12 when a
side is stamped invalid."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from perfconsole.cli.runs import add_store_options, load_settings_for
from perfconsole.errors import ExitCode


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare a run against a baseline or another run",
        description="Compare RUN against BASELINE_OR_RUN per endpoint (p50, p95, p99, avg, req/s, error "
        "rate), and two capacity searches' SLO capacities. "
        "References: a baseline name, a run id (or unique prefix), 'latest', 'baseline:NAME' or "
        "'run:ID'. Exit codes: 0 no regression, 11 regression, 12 a side is an invalid measurement "
        "(nothing judged), 2 bad input.",
    )
    parser.add_argument("baseline", metavar="BASELINE_OR_RUN", help="what to compare against")
    parser.add_argument("current", metavar="RUN", help="the run to judge")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON on stdout")
    add_store_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from perfconsole.application.capacity_report import capacity_comparison, comparison_dict
    from perfconsole.application.comparison_report import comparison_to_dict, render_table
    from perfconsole.store.baselines import resolve
    from perfconsole.verdicts.regression import compare

    settings = load_settings_for(args)
    runs_dir = Path(args.runs_dir) if args.runs_dir else Path(settings.runs_dir)
    baseline = resolve(runs_dir, args.baseline)
    current = resolve(runs_dir, args.current)
    comparison = compare(baseline, current, settings.regression)
    capacity = capacity_comparison(baseline.result.capacity, current.result.capacity)
    if args.json:
        document = comparison_to_dict(comparison)
        document["capacity"] = comparison_dict(capacity)
        print(json.dumps(document, indent=2, allow_nan=False))
    else:
        sys.stdout.write(render_table(comparison))
        if capacity is not None:
            sys.stdout.write(f"{capacity.text}\n")
    if comparison.refused:
        return int(ExitCode.INVALID)
    return int(ExitCode.REGRESSION if comparison.regressed else ExitCode.OK)
