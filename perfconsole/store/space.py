"""Free space for a run's results, watched while it runs: a disk that fills mid-run is said before the save.

What a run will need is estimated from what a save writes (measured on saved runs): Locust's HTML report
(about 1 MB of which is its page, whatever the run), then per second of the run a point of the time series in
data.json, the HTML report and the stats-history CSV plus a resource sample (about 1 KB together), and per
endpoint and per distinct failure their rows and whole-run histogram (tens of KB at most). The estimate is
doubled: the save writes its staging directory before the rename, and the figures vary by run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from perfconsole.model.run_warnings import RunWarning, WarningKind

BASE_BYTES = 1024 * 1024
"""Locust's HTML report page, run.toml and the CSV headers."""
BYTES_PER_SECOND = 1024
"""A second of the time series: data.json, the HTML report, the stats-history CSV, a resource sample."""
BYTES_PER_ENDPOINT = 32 * 1024
"""An endpoint's rows in data.json, the CSVs and the HTML report, and its encoded whole-run histogram."""
BYTES_PER_FAILURE = 1024
"""A distinct failure or exception (its text, its rows)."""
MARGIN = 2.0


def save_bytes_needed(seconds: float, endpoints: int, failures: int) -> int:
    """Estimated bytes a save of a run of ``seconds`` with these counts writes, margin included."""
    raw = (
        BASE_BYTES
        + BYTES_PER_SECOND * max(0.0, seconds)
        + BYTES_PER_ENDPOINT * endpoints
        + BYTES_PER_FAILURE * failures
    )
    return int(raw * MARGIN)


def free_bytes(directory: Path) -> int | None:
    """Bytes available to this user on ``directory``'s file system (its nearest existing parent's); None if
    it cannot be told."""
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def _mb(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass
class SpaceWatch:
    """Warns once per run when the runs directory's free space falls below what the run will need."""

    runs_dir: Path
    warned: bool = False

    def check(
        self, seconds: float, endpoints: int, failures: int, free: int | None = None
    ) -> RunWarning | None:
        """A new warning when space became short (``free`` given: as measured, for tests), else None."""
        if self.warned:
            return None
        available = free_bytes(self.runs_dir) if free is None else free
        needed = save_bytes_needed(seconds, endpoints, failures)
        if available is None or available >= needed:
            return None
        self.warned = True
        return RunWarning(
            WarningKind.DISK_SPACE,
            f"low disk space: {_mb(available)} free in {self.runs_dir}, saving this run needs about "
            f"{_mb(needed)}: free some space before the run ends",
            f"{_mb(available)} free, {_mb(needed)} needed",
        )
