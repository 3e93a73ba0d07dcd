"""Per-endpoint figures by second from a saved run's ``locust_stats_history.csv`` (Locust's own file).

Locust writes a row per endpoint each second only with ``--csv-full-history`` (else the total's rows
alone); those rows carry Locust's "current" figures (req/s, fail/s and percentiles over its recent window,
response times rounded to about 2 significant figures). Read within the store's bounds: a file that is
missing, special, too large or malformed gives no rows, never an error on screen.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from perfconsole.errors import StoreError
from perfconsole.model.run import AGGREGATED
from perfconsole.store.safe_read import finite, read_text

HISTORY_FILE = "locust_stats_history.csv"
MAX_HISTORY_BYTES = 256 * 2**20
"""About 1.3 million rows: an hour at 350 endpoints."""


@dataclass(frozen=True, slots=True)
class EndpointSecond:
    """One endpoint's row of one second."""

    timestamp: float
    method: str
    name: str
    rps: float
    fail_per_sec: float
    p50: float | None
    p95: float | None
    p99: float | None
    p999: float | None
    max: float | None

    @property
    def key(self) -> str:
        return f"{self.method} {self.name}".strip()


def _number(row: dict[str, str], column: str) -> float | None:
    text = (row.get(column) or "").strip()
    return None if text in ("", "N/A") else finite(_float(text))


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def endpoint_seconds(run_dir: Path) -> list[EndpointSecond]:
    """The endpoint rows (not the total's) of the run's stats history, in file order; empty when the run
    has none (saved without ``--csv-full-history``) or the file cannot be read."""
    try:
        text = read_text(run_dir / HISTORY_FILE, MAX_HISTORY_BYTES)
    except StoreError:
        return []
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        name = row.get("Name") or ""
        timestamp = _number(row, "Timestamp")
        if not name or name == AGGREGATED or timestamp is None:
            continue
        rows.append(
            EndpointSecond(
                timestamp,
                row.get("Type") or "",
                name,
                _number(row, "Requests/s") or 0.0,
                _number(row, "Failures/s") or 0.0,
                _number(row, "50%"),
                _number(row, "95%"),
                _number(row, "99%"),
                _number(row, "99.9%"),
                _number(row, "100%"),
            )
        )
    return rows
