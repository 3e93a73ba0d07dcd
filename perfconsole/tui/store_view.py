"""Pure views of saved runs for the console: live baseline marks, run-browser rows, comparison rows.

No Textual and no file I/O: the recorder (perfconsole.tui.recorder) reads the store, these functions
turn what it read into text the widgets show.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import PurePath

from perfconsole.application.comparison_report import describe_change, format_ci, format_rel
from perfconsole.config import Regression
from perfconsole.model.run import AGGREGATED, EndpointStats, RunSnapshot
from perfconsole.tui.formatting import MISSING, fmt_duration, fmt_ms, fmt_pct
from perfconsole.tui.marks import METRIC_TO_COLUMN, REGRESSED_CELL_MARK, REGRESSED_ROW_MARK
from perfconsole.verdicts.regression import (
    FEW_SAMPLES,
    NO_DATA,
    WITHIN_NOISE,
    ComparableSide,
    Comparison,
    compare,
)
from perfconsole.verdicts.run_noise import RunNoise


@dataclass(frozen=True, slots=True)
class RowMark:
    """How one percentile-table row compares with the baseline."""

    delta: str
    """Text of the p95 delta column: ``+12.5%``, ``new``, ``-`` ..."""
    regressed_columns: frozenset[str] = frozenset()
    """Table column ids whose metric regressed."""
    regressed: bool = False
    """Any metric regressed (also ``avg``, which has no column)."""


NEW_ENDPOINT = RowMark("new")
"""Mark of an endpoint the baseline does not have."""


def live_endpoints(snapshot: RunSnapshot, use_current: bool) -> tuple[EndpointStats, ...]:
    """The snapshot's endpoints and total as compare() reads them: whole-run figures, or with the
    current window's percentiles and req/s in place of the whole run's (``use_current``)."""
    stats = (*snapshot.endpoints, snapshot.total)
    if not use_current:
        return stats
    return tuple(replace(e, cumulative=e.current, total_rps=e.current_rps) for e in stats)


def live_rules(rules: Regression, use_current: bool) -> Regression:
    """Rules for a live comparison: the current window has no average, so ``avg`` is not judged there."""
    return replace(rules, relative={**rules.relative, "avg": math.inf}) if use_current else rules


def live_comparison(
    baseline: ComparableSide,
    snapshot: RunSnapshot,
    use_current: bool,
    rules: Regression,
    noise: RunNoise | None = None,
) -> Comparison:
    """The running test (current window or whole run) against a baseline's whole-run figures; ``noise``:
    the running test's own (its histograms and time blocks), else it borrows the baseline's."""
    return compare(
        baseline,
        live_endpoints(snapshot, use_current),
        live_rules(rules, use_current),
        current_label="live (current window)" if use_current else "live (whole run)",
        current_noise=noise,
    )


def p95_delta_text(comparison_row_verdict: str, rel_delta: float | None, regressed: bool) -> str:
    """``↑+35.0%`` for a regression, ``+3.1%?`` when there are too few samples to judge, ``+14.0%~`` for
    a change within noise, ``-`` w/o data."""
    if comparison_row_verdict == NO_DATA or rel_delta is None:
        return MISSING
    text = format_rel(rel_delta)
    if regressed:
        return f"{REGRESSED_CELL_MARK}{text}"
    if comparison_row_verdict == FEW_SAMPLES:
        return f"{text}?"
    if comparison_row_verdict == WITHIN_NOISE:
        return f"{text}~"
    return text


def comparison_marks(comparison: Comparison) -> dict[str, RowMark]:
    """Row marks keyed like the percentile table's rows (endpoint key, ``Aggregated`` for the total)."""
    marks: dict[str, RowMark] = {}
    for row in comparison.rows:
        p95 = row.metric("p95")
        columns = frozenset(
            METRIC_TO_COLUMN[m.metric] for m in row.metrics if m.regressed and m.metric in METRIC_TO_COLUMN
        )
        marks[row.endpoint] = RowMark(
            p95_delta_text(p95.verdict, p95.rel_delta, p95.regressed), columns, row.regressed
        )
    return marks


def regressed_endpoints(marks: Mapping[str, RowMark]) -> list[str]:
    """Keys of the regressed rows, the total last (for the message line)."""
    keys = sorted(k for k, m in marks.items() if m.regressed and k != AGGREGATED)
    if AGGREGATED in marks and marks[AGGREGATED].regressed:
        keys.append(AGGREGATED)
    return keys


# ---------------------------------------------------------------- run browser


@dataclass(frozen=True, slots=True)
class BrowserEntry:
    """One line of the run browser: a run, a baseline, or a directory that cannot be read."""

    key: str
    """Unique row key: ``run:<id>``, ``baseline:<name>`` or ``broken:<n>``."""
    kind: str
    """``final``, ``manual``, ``baseline`` or ``broken``."""
    label: str
    """Run id, baseline name, or the broken entry's error."""
    started_at: float | None = None
    """Epoch seconds of the run's start."""
    scenario: str = ""
    profile: str | None = None
    requests: int | None = None
    p95_ms: float | None = None
    error_pct: float | None = None
    note: str | None = None
    interrupted: bool = False
    thresholds_passed: bool = True
    validity: str = ""
    """``valid``, ``invalid: <reasons>``, or empty (saved before stamps)."""
    source_run: str | None = None
    """For a baseline: the run it was promoted from."""
    name: str | None = None
    """For a run: the name it was saved with (``--save NAME``), which commands accept for it."""

    @property
    def broken(self) -> bool:
        return self.kind == "broken"


BROWSER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("mark", " "),
    ("kind", "kind"),
    ("flags", "flags"),
    ("started", "started UTC"),
    ("requests", "requests"),
    ("p95", "p95 ms"),
    ("errors", "err %"),
    ("scenario", "scenario"),
    ("profile", "profile"),
    ("note", "note"),
    ("id", "id"),
)
"""(column id, header) of the run browser's table, what tells runs apart first (the line under the
table shows the highlighted entry in full)."""

SELECTED_MARK = "●"


def scenario_name(scenario_path: str) -> str:
    """``notifications`` for ``scenarios/notifications.py``."""
    name = PurePath(scenario_path.replace("\\", "/")).name
    return name[:-3] if name.endswith(".py") else name


def fmt_started(started_at: float | None, year: bool = False) -> str:
    """``11-23 16:45`` (UTC; with ``year``: ``2026-11-23 16:45``)."""
    if not started_at:
        return MISSING
    return datetime.fromtimestamp(started_at, UTC).strftime("%Y-%m-%d %H:%M" if year else "%m-%d %H:%M")


def summary_float(summary: Mapping[str, object], key: str) -> float | None:
    value = summary.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def entry_flags(entry: BrowserEntry) -> str:
    """``INT`` interrupted, ``FAIL`` thresholds failed, ``INVALID`` not a valid measurement; a broken entry
    is ``BROKEN``."""
    if entry.broken:
        return "BROKEN"
    flags = []
    if entry.interrupted:
        flags.append("INT")
    if not entry.thresholds_passed:
        flags.append("FAIL")
    if entry.validity.startswith("invalid"):
        flags.append("INVALID")
    return " ".join(flags)


def browser_cells(entry: BrowserEntry, selected: bool = False) -> tuple[str, ...]:
    """The run browser's cells for one entry, in :data:`BROWSER_COLUMNS` order."""
    mark = SELECTED_MARK if selected else " "
    if entry.broken:
        return (mark, "broken", "BROKEN", MISSING, "", "", "", "", "", entry.label, "")
    named = f"{entry.kind} {entry.name}" if entry.name else entry.kind
    kind = f"base {entry.label}" if entry.kind == "baseline" else named
    ident = entry.source_run or "" if entry.kind == "baseline" else entry.label
    return (
        mark,
        kind,
        entry_flags(entry),
        fmt_started(entry.started_at),
        MISSING if entry.requests is None else f"{entry.requests:,}",
        fmt_ms(entry.p95_ms),
        MISSING if entry.error_pct is None else fmt_pct(entry.error_pct),
        entry.scenario,
        entry.profile or MISSING,
        entry.note or "",
        ident,
    )


def entry_summary(entry: BrowserEntry) -> str:
    """The highlighted entry in full, for the line under the browser's table."""
    if entry.broken:
        return f"BROKEN {entry.label}"
    if entry.kind == "baseline":
        head = f"baseline {entry.label} (from run {entry.source_run})"
    else:
        head = f"{entry.kind} run {entry.label}" + (f" (named {entry.name})" if entry.name else "")
    flags = entry_flags(entry)
    started = f"started {fmt_started(entry.started_at, year=True)} UTC"
    parts = [head + (f" [{flags}]" if flags else ""), started]
    if entry.note:
        parts.append(f"note: {entry.note}")
    return "  ".join(parts)


def toggle_selection(selected: tuple[str, ...], key: str, keep: int = 2) -> tuple[str, ...]:
    """Mark or unmark ``key``; marking more than ``keep`` drops the oldest mark."""
    if key in selected:
        return tuple(k for k in selected if k != key)
    return (*selected, key)[-keep:]


def compare_order(first: BrowserEntry, second: BrowserEntry) -> tuple[BrowserEntry, BrowserEntry]:
    """(baseline side, current side) of two marked entries: a baseline is the reference; otherwise the
    older run is."""
    if first.kind == "baseline" and second.kind != "baseline":
        return first, second
    if second.kind == "baseline" and first.kind != "baseline":
        return second, first
    if (second.started_at or 0.0) < (first.started_at or 0.0):
        return second, first
    return first, second


# ---------------------------------------------------------------- comparison and detail views


@dataclass(frozen=True, slots=True)
class ComparisonLine:
    cells: tuple[str, ...]
    regressed: bool = False


COMPARISON_COLUMNS: tuple[str, ...] = (
    "Endpoint",
    "Metric",
    "Baseline",
    "Current",
    "Change",
    "95% CI",
    "Verdict",
)

METRIC_LABELS = {"error_rate": "err %", "rps": "req/s"}
"""Short metric labels that fit 80 columns; latencies read ``p95 ms``."""


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return MISSING
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:,.1f}" if unit == "req/s" else fmt_ms(value)


def comparison_lines(comparison: Comparison) -> list[ComparisonLine]:
    """One line per endpoint and metric (the endpoint named on its first line); regressions marked."""
    lines = []
    for row in comparison.rows:
        name = "Total" if row.endpoint == AGGREGATED else row.endpoint
        for index, m in enumerate(row.metrics):
            verdict = f"{REGRESSED_CELL_MARK}{m.verdict}" if m.regressed else m.verdict
            shown = name if index == 0 else ""
            if index == 0 and row.regressed:
                shown = f"{REGRESSED_ROW_MARK} {name}"
            lines.append(
                ComparisonLine(
                    (
                        shown,
                        METRIC_LABELS.get(m.metric, f"{m.metric} {m.unit}"),
                        _fmt_value(m.baseline, m.unit),
                        _fmt_value(m.current, m.unit),
                        format_rel(m.rel_delta),
                        format_ci(m),
                        verdict,
                    ),
                    m.regressed,
                )
            )
    return lines


def comparison_verdict(comparison: Comparison) -> str:
    """``2 regression(s): GET /a p95 +40.0%; ...`` or ``no regressions``."""
    regressions = comparison.regressions
    if not regressions:
        return "no regressions"
    listed = "; ".join(f"{endpoint} {describe_change(m)}" for endpoint, m in regressions)
    return f"{len(regressions)} regression(s): {listed}"


def detail_lines(entry: BrowserEntry, duration_s: float | None, thresholds: Iterable[str]) -> list[str]:
    """Header lines of the read-only run view."""
    title = (
        f"baseline {entry.label} (from run {entry.source_run})" if entry.kind == "baseline" else entry.label
    )
    flags = entry_flags(entry)
    lines = [
        f"{title}  [{entry.kind}{' ' + flags if flags else ''}]",
        f"{entry.scenario}  profile {entry.profile or MISSING}"
        f"  started {fmt_started(entry.started_at, year=True)} UTC  lasted {fmt_duration(duration_s)}",
    ]
    if entry.note:
        lines.append(f"note: {entry.note}")
    if entry.validity.startswith("invalid"):
        lines.append(entry.validity)
    failed = [t for t in thresholds if t.startswith("FAIL")]
    if failed:
        lines.append("; ".join(failed))
    return lines
