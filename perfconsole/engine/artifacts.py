"""Locust-format result files for a session: the CSVs ``locust --csv PREFIX`` writes and the HTML report.

File names and columns are Locust's own (``PREFIX_stats.csv``, ``_stats_history.csv``, ``_failures.csv``,
``_exceptions.csv``) so existing compare scripts read them unchanged. ``workers.log`` holds what the
workers printed and logged and Locust's warnings, each line prefixed by its source.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from locust.html import get_html_report
from locust.stats import PERCENTILES_TO_REPORT

from perfconsole.engine.locust import csv_rows

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession

CSV_PREFIX = "locust"
HTML_NAME = "report.html"


def write_locust_artifacts(session: LoadSession, directory: Path, prefix: str = CSV_PREFIX) -> list[Path]:
    """Write the four CSVs and the HTML report into ``directory``; return the paths written."""
    env = session.env
    if env is None or env.runner is None:
        return []
    paths = write_locust_csvs(session, directory, prefix)
    html_path = directory / HTML_NAME
    html_path.write_text(get_html_report(env, show_download_link=False), encoding="utf-8")
    paths.append(html_path)
    if session.local_workers is not None:
        session.local_workers.poll_output()
    workers_log = session.output_log.write(directory)
    if workers_log is not None:
        paths.append(workers_log)
    return paths


def write_locust_csvs(session: LoadSession, directory: Path, prefix: str = CSV_PREFIX) -> list[Path]:
    """The four CSVs of ``locust --csv DIRECTORY/PREFIX``; return the paths written."""
    env = session.env
    if env is None or env.runner is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    locust_tables = csv_rows.tables(env)
    history_rows = session.sampler.history.csv_rows
    tables: list[tuple[str, list[str], csv_rows.RowWriter]] = [
        ("stats", *locust_tables["stats"]),
        ("stats_history", _history_columns(), lambda out: out.writerows(history_rows)),
        ("failures", *locust_tables["failures"]),
        ("exceptions", *locust_tables["exceptions"]),
    ]
    paths = []
    for suffix, columns, write_rows in tables:
        path = directory / f"{prefix}_{suffix}.csv"
        with open(path, "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(columns)
            write_rows(out)
        paths.append(path)
    return paths


def _history_columns() -> list[str]:
    from locust.stats import get_readable_percentiles

    return [
        "Timestamp",
        "User Count",
        "Type",
        "Name",
        "Requests/s",
        "Failures/s",
        *get_readable_percentiles(PERCENTILES_TO_REPORT),
        "Total Request Count",
        "Total Failure Count",
        "Total Median Response Time",
        "Total Average Response Time",
        "Total Min Response Time",
        "Total Max Response Time",
        "Total Average Content Size",
    ]
