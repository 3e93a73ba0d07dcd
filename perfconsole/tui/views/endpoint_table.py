"""The endpoint table's choice and what it does: sort by any column, worst first, filter by name (pure).

The choice belongs to the dashboard, not to the view: switching between the current window and the
whole run (``v``) keeps it; the rows are re-sorted by the figures of the view shown.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace

from perfconsole.model.run import EndpointStats

SORT_COLUMNS = ("name", "rps", "fail", "p50", "p95", "p99", "p99.9", "max")
"""Columns the sort key cycles through, in table order."""
GLOB_CHARACTERS = frozenset("*?[")
SORT_MARKS = {False: "▲", True: "▼"}
"""Shown after the sorted column's header: ascending, descending."""


@dataclass(frozen=True, slots=True)
class TableChoice:
    """How the operator wants the endpoint rows: sort column and order, name filter."""

    sort: str = "name"
    descending: bool = False
    filter: str = ""
    """Substring, or a glob when it holds ``*``, ``?`` or ``[``; case-insensitive; empty: every row."""

    @property
    def label(self) -> str:
        """``p95 ▼`` for the header line and messages."""
        return f"{self.sort} {SORT_MARKS[self.descending]}"


def next_sort(choice: TableChoice) -> TableChoice:
    """The next column; figures start worst (highest) first, names A to Z."""
    column = SORT_COLUMNS[(SORT_COLUMNS.index(choice.sort) + 1) % len(SORT_COLUMNS)]
    return replace(choice, sort=column, descending=column != "name")


def flipped(choice: TableChoice) -> TableChoice:
    return replace(choice, descending=not choice.descending)


def worst_first(choice: TableChoice) -> TableChoice:
    """Highest p95 first; pressed again, most failures first (then back to p95)."""
    if choice.sort == "p95" and choice.descending:
        return replace(choice, sort="fail", descending=True)
    return replace(choice, sort="p95", descending=True)


def column_value(endpoint: EndpointStats, column: str, use_current: bool) -> float | None:
    """The figure a numeric column shows for ``endpoint`` in the view (None: no data)."""
    if column == "rps":
        return endpoint.current_rps if use_current else endpoint.total_rps
    if column == "fail":
        return endpoint.current_fail_per_sec if use_current else endpoint.total_fail_per_sec
    percentiles = endpoint.current if use_current else endpoint.cumulative
    if column == "max" and not use_current:
        return endpoint.max_ms if endpoint.num_requests else None
    return percentiles.get(column)


def name_matches(endpoint: EndpointStats, pattern: str) -> bool:
    """``pattern`` as a case-insensitive glob over the whole name (or ``METHOD name``) when it holds
    glob characters, else as a substring of ``METHOD name``."""
    pattern = pattern.strip().lower()
    if not pattern:
        return True
    key = endpoint.key.lower()
    if GLOB_CHARACTERS & set(pattern):
        return fnmatch.fnmatchcase(endpoint.name.lower(), pattern) or fnmatch.fnmatchcase(key, pattern)
    return pattern in key


def arranged(
    endpoints: Iterable[EndpointStats], choice: TableChoice, use_current: bool
) -> list[EndpointStats]:
    """The endpoints the filter keeps, in the chosen order; rows without data for the sorted figure go
    last whatever the order, and ties keep name order."""
    rows = sorted(
        (e for e in endpoints if name_matches(e, choice.filter)), key=lambda e: (e.name.lower(), e.method)
    )
    if choice.sort == "name":
        return rows[::-1] if choice.descending else rows
    with_data = [(value, e) for e in rows if (value := column_value(e, choice.sort, use_current)) is not None]
    without = [e for e in rows if column_value(e, choice.sort, use_current) is None]
    with_data.sort(key=lambda pair: pair[0], reverse=choice.descending)
    return [e for _, e in with_data] + without


def header_text(column: str, header: str, choice: TableChoice) -> str:
    """A column's header with the sort mark on the sorted column."""
    return f"{header} {SORT_MARKS[choice.descending]}" if column == choice.sort else header


def filter_caption(choice: TableChoice, shown: int, total: int) -> str:
    """``"pay" 3 of 40`` beside the name header while a filter is set (empty otherwise)."""
    return f'"{choice.filter}" {shown} of {total}' if choice.filter else ""
