"""The failures and exceptions tables' rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from perfconsole.model.run import ErrorStats, ExceptionStats


@dataclass(frozen=True, slots=True)
class FailureRow:
    count: int
    method: str
    name: str
    error: str


def failure_rows(errors: Iterable[ErrorStats]) -> list[FailureRow]:
    """Failures grouped by (method, name, error), most frequent first."""
    grouped: dict[tuple[str, str, str], int] = {}
    for error in errors:
        key = (error.method, error.name, error.error)
        grouped[key] = grouped.get(key, 0) + error.occurrences
    rows = [FailureRow(count, method, name, text) for (method, name, text), count in grouped.items()]
    return sorted(rows, key=lambda row: (-row.count, row.name, row.method, row.error))


@dataclass(frozen=True, slots=True)
class ExceptionRow:
    count: int
    message: str
    where: str
    nodes: str


def exception_rows(exceptions: Iterable[ExceptionStats]) -> list[ExceptionRow]:
    """Exceptions with the code location that raised them (last ``File`` line of the traceback)."""
    rows = []
    for exc in exceptions:
        frames = [line.strip() for line in exc.traceback.splitlines() if line.strip().startswith("File ")]
        rows.append(ExceptionRow(exc.count, exc.msg, frames[-1] if frames else "", ", ".join(exc.nodes)))
    return sorted(rows, key=lambda row: (-row.count, row.message))
