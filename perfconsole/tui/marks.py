"""The console's marks: one symbol each, so every mark reads without colour (NO_COLOR), the one map
from metric names (thresholds, regression comparison) to the percentile-table column they mark, and the
one-letter marks of annotations on the charts' time axis."""

from __future__ import annotations

BREACH_MARK = "▲"
"""A cell or limit broken now (a threshold, a resource limit)."""
PAST_BREACH_MARK = "△"
"""A limit broken earlier in the run (the run's verdict) but not now."""
OK_MARK = "✓"
WARNING_MARK = "!"
REGRESSED_ROW_MARK = "✗"
"""Prefix of a regressed endpoint's name."""
REGRESSED_CELL_MARK = "↑"
"""Prefix of a cell whose metric regressed against the baseline."""

METRIC_TO_COLUMN: dict[str, str] = {
    "p50": "p50",
    "p95": "p95",
    "p99": "p99",
    "p99.9": "p99.9",
    "p999": "p99.9",
    "max": "max",
    "error_rate": "fail",
    "error_rate_pct": "fail",
    "fail": "fail",
    "rps": "rps",
    "min_rps": "rps",
}
"""Threshold and comparison metric names to the percentile-table column they mark (``avg`` has no
column: it marks the row only)."""


ANNOTATION_MARKS: dict[str, str] = {
    "note": "N",
    "users": "U",
    "profile": "P",
    "drill": "D",
    "worker": "W",
    "warning": "!",
    "snapshot": "S",
    "rate": "R",
}
"""One-letter mark of each annotation kind on the charts' time axis."""


def annotation_mark(kind: str) -> str:
    return ANNOTATION_MARKS.get(kind, "*")
