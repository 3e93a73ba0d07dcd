"""Locust's own CSV row writers, aimed at writers of perfconsole's choosing.

Locust writes its CSV files (``--csv``) only from ``StatsCSVFileWriter``, to its own files on its own clock.
The rows come from methods it keeps private: ``StatsCSV._requests_data_rows``, ``_failures_data_rows``,
``_exceptions_data_rows`` and ``StatsCSVFileWriter._stats_history_data_rows``. perfconsole calls them so
that a saved run's CSVs are Locust's rows, column for column (the history rows kept in memory each second,
the others written when the run is saved).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from locust.stats import PERCENTILES_TO_REPORT, StatsCSV, StatsCSVFileWriter

if TYPE_CHECKING:
    from locust.env import Environment

RowWriter = Callable[[Any], None]
"""Writes a table's rows to a ``csv.writer``."""


def tables(environment: Environment) -> dict[str, tuple[list[str], RowWriter]]:
    """Locust's ``stats``, ``failures`` and ``exceptions`` tables: their columns and row writers."""
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    return {
        "stats": (writer.requests_csv_columns, writer._requests_data_rows),
        "failures": (writer.failures_columns, writer._failures_data_rows),
        "exceptions": (writer.exceptions_columns, writer._exceptions_data_rows),
    }


class _RowCollector:
    """A csv writer that keeps rows in a list."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []

    def writerow(self, row: Any) -> None:
        self.rows.append(list(row))


class _LocustHistoryRows(StatsCSV):
    """Locust's stats-history row writer (``--csv`` / ``--csv-full-history``), without its files."""

    _stats_history_data_rows = StatsCSVFileWriter._stats_history_data_rows

    def __init__(self, environment: Environment, full_history: bool) -> None:
        super().__init__(environment, PERCENTILES_TO_REPORT)
        self.full_history = full_history

    def rows(self, now: float) -> list[list[Any]]:
        out = _RowCollector()
        self._stats_history_data_rows(out, now)  # type: ignore[misc]
        return out.rows


def stats_history_rows(environment: Environment, full_history: bool, now: float) -> list[list[Any]]:
    """The rows Locust's ``_stats_history.csv`` gets at ``now`` (every endpoint with ``full_history``)."""
    return _LocustHistoryRows(environment, full_history).rows(now)
