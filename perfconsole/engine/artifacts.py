"""Locust-format result files for a session: the CSVs ``locust --csv PREFIX`` writes and the HTML report.

File names and columns are Locust's own (``PREFIX_stats.csv``, ``_stats_history.csv``, ``_failures.csv``,
``_exceptions.csv``) so existing compare scripts read them unchanged.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from locust.html import get_html_report
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

if TYPE_CHECKING:
    from perfconsole.engine.session import LoadSession

CSV_PREFIX = "locust"
HTML_NAME = "report.html"


def write_locust_artifacts(session: LoadSession, directory: Path, prefix: str = CSV_PREFIX) -> list[Path]:
    """Write the four CSVs and the HTML report into ``directory``; return the paths written."""
    env = session.env
    if env is None or env.runner is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    writer = StatsCSV(env, PERCENTILES_TO_REPORT)
    base = directory / prefix
    paths = []

    stats_path = Path(f"{base}_stats.csv")
    with open(stats_path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(writer.requests_csv_columns)
        writer._requests_data_rows(out)
    paths.append(stats_path)

    history_path = Path(f"{base}_stats_history.csv")
    with open(history_path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(_history_columns())
        out.writerows(session.csv_history_rows)
    paths.append(history_path)

    failures_path = Path(f"{base}_failures.csv")
    with open(failures_path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(writer.failures_columns)
        writer._failures_data_rows(out)
    paths.append(failures_path)

    exceptions_path = Path(f"{base}_exceptions.csv")
    with open(exceptions_path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(writer.exceptions_columns)
        writer._exceptions_data_rows(out)
    paths.append(exceptions_path)

    html_path = directory / HTML_NAME
    html_path.write_text(get_html_report(env, show_download_link=False), encoding="utf-8")
    paths.append(html_path)
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
