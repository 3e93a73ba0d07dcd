"""What ``locust --headless`` prints and writes at the end of a run, from Locust's own functions: the request
and percentile tables and the error report (``locust.stats``), ``--json`` (``print_stats_json``),
``--json-file``, ``--csv PREFIX`` and ``--html FILE`` where the user says (besides the run directory)."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession


def locust_tables(stats: Any) -> list[str]:
    """Locust's end-of-run tables, line by line, exactly as ``locust --headless`` prints them."""
    from locust.stats import get_error_report_summary, get_percentile_stats_summary, get_stats_summary

    lines = [*get_stats_summary(stats, current=False), ""]
    lines += [*get_percentile_stats_summary(stats), ""]
    if stats.errors:
        lines += [*get_error_report_summary(stats), ""]
    return lines


def print_locust_json(stats: Any, out: TextIO) -> None:
    """``--json``: Locust's document (``print_stats_json``), on ``out``. Serializing resets the stats: call it
    last."""
    from locust.stats import print_stats_json

    with contextlib.redirect_stdout(out):
        print_stats_json(stats)
    out.flush()


def write_requested_files(session: LoadSession, options: argparse.Namespace | None) -> list[str]:
    """``--csv PREFIX``, ``--html FILE`` and ``--json-file NAME`` as Locust writes them (folders created,
    ``{u} {r} {t}`` in the HTML name replaced); the paths written, for one stderr line each."""
    if options is None or session.env is None:
        return []
    written: list[str] = []
    prefix = getattr(options, "csv_prefix", None)
    if prefix:
        from perfconsole.engine.artifacts import write_locust_csvs

        target = Path(prefix)
        paths = write_locust_csvs(session, target.parent if str(target.parent) else Path("."), target.name)
        written += [str(p) for p in paths]
    html = getattr(options, "html_file", None)
    if html:
        from locust.html import get_html_report, process_html_filename

        named = argparse.Namespace(**vars(options))
        process_html_filename(named)
        if directory := os.path.dirname(named.html_file):
            os.makedirs(directory, exist_ok=True)
        Path(named.html_file).write_text(get_html_report(session.env, show_download_link=False), "utf-8")
        written.append(str(named.html_file))
    return written


def write_json_file(session: LoadSession, options: argparse.Namespace | None) -> str | None:
    """``--json-file NAME``: Locust's JSON document in ``NAME.json`` (last: serializing resets the stats)."""
    name = getattr(options, "json_file", None) if options is not None else None
    if not name or session.runner is None:
        return None
    from locust.stats import save_stats_json

    if directory := os.path.dirname(name):
        os.makedirs(directory, exist_ok=True)
    save_stats_json(session.runner.stats, name)
    return f"{name}.json"
