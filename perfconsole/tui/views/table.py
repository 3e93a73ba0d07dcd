"""The percentile table's view model: columns, rows and cells (breach, regression and baseline marks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from perfconsole.config import Settings
from perfconsole.model.run import AGGREGATED, EndpointStats, RunSnapshot
from perfconsole.tui.formatting import fmt_ms, fmt_rate
from perfconsole.tui.marks import BREACH_MARK, METRIC_TO_COLUMN, REGRESSED_CELL_MARK, REGRESSED_ROW_MARK
from perfconsole.tui.store_view import NEW_ENDPOINT, RowMark
from perfconsole.tui.views.endpoint_table import TableChoice, arranged, filter_caption, header_text

TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Endpoint"),
    ("rps", "req/s"),
    ("fail", "fail/s"),
    ("p50", "p50"),
    ("p95", "p95"),
    ("p99", "p99"),
    ("p99.9", "p99.9"),
    ("max", "max"),
)
"""(column id, header) of the percentile table."""


Breaches = Callable[[EndpointStats, bool], Iterable[str]]
"""``(endpoint, use_current) -> metric names that break a threshold``."""


def no_breaches(endpoint: EndpointStats, use_current: bool) -> Iterable[str]:
    return ()


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    breached: bool = False
    regressed: bool = False
    """Worse than the chosen baseline (perfconsole.tui.store_view)."""


DELTA_COLUMN: tuple[str, str] = ("delta", "Δp95")
"""Column added to the percentile table while a baseline is chosen: p95 change against it."""


def table_columns(with_delta: bool) -> tuple[tuple[str, str], ...]:
    """The table's columns; the delta goes right after p95 so it stays on screen at 80 columns."""
    if not with_delta:
        return TABLE_COLUMNS
    at = [column for column, _header in TABLE_COLUMNS].index("p95") + 1
    return (*TABLE_COLUMNS[:at], DELTA_COLUMN, *TABLE_COLUMNS[at:])


@dataclass(frozen=True, slots=True)
class TableRow:
    key: str
    cells: tuple[Cell, ...]
    is_total: bool = False


def endpoint_row(
    endpoint: EndpointStats,
    use_current: bool,
    breaches: Breaches = no_breaches,
    is_total: bool = False,
    mark: RowMark | None = None,
) -> TableRow:
    """One table row: current-window figures if ``use_current`` else whole-run figures; with ``mark``
    (a baseline is chosen) regressed cells and the name are marked and a p95 delta cell is added."""
    marked = {METRIC_TO_COLUMN.get(metric, metric) for metric in breaches(endpoint, use_current)}
    pct = endpoint.current if use_current else endpoint.cumulative
    rps = endpoint.current_rps if use_current else endpoint.total_rps
    fail = endpoint.current_fail_per_sec if use_current else endpoint.total_fail_per_sec
    max_ms = pct.max if use_current else (endpoint.max_ms if endpoint.num_requests else None)
    texts = {
        "name": "Total" if is_total else endpoint.key,
        "rps": fmt_rate(rps),
        "fail": fmt_rate(fail),
        "p50": fmt_ms(pct.p50),
        "p95": fmt_ms(pct.p95),
        "p99": fmt_ms(pct.p99),
        "p99.9": fmt_ms(pct.p999),
        "max": fmt_ms(max_ms),
    }
    regressed = set(mark.regressed_columns) if mark is not None else set()
    if mark is not None:
        texts["delta"] = mark.delta
        if mark.regressed:
            texts["name"] = f"{REGRESSED_ROW_MARK} {texts['name']}"
            regressed.add("name")
        if "p95" in regressed:
            regressed.add("delta")
    cells = []
    for column, _header in table_columns(mark is not None):
        breached = column in marked
        text = texts[column]
        if column in regressed and column not in ("name", "delta"):
            text = f"{REGRESSED_CELL_MARK}{text}"
        elif breached:
            text = f"{BREACH_MARK}{text}"
        cells.append(Cell(text, breached, column in regressed))
    return TableRow(endpoint.key or AGGREGATED, tuple(cells), is_total)


NAME_ORDER = TableChoice()
"""Every endpoint, by name."""


class TableRows(Sequence[TableRow]):
    """The table's rows (the total first), each formatted when first read: a poll that keeps the rows'
    order reads only those in view, and at hundreds of endpoints most are off screen."""

    def __init__(self, endpoints: Sequence[EndpointStats], make: Callable[[int, EndpointStats], TableRow]):
        self._endpoints = endpoints
        self._make = make
        self._rows: list[TableRow | None] = [None] * len(endpoints)
        self.keys: list[str] = [endpoint.key or AGGREGATED for endpoint in endpoints]
        """Each row's key, known without formatting it."""

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def formatted(self) -> int:
        """How many rows were formatted so far."""
        return sum(row is not None for row in self._rows)

    def __getitem__(self, index: int) -> TableRow:  # type: ignore[override]  # rows by position only
        row = self._rows[index]
        if row is None:
            row = self._rows[index] = self._make(index, self._endpoints[index])
        return row


def lazy_table_rows(
    snapshot: RunSnapshot,
    use_current: bool,
    breaches: Breaches = no_breaches,
    marks: Mapping[str, RowMark] | None = None,
    choice: TableChoice = NAME_ORDER,
) -> TableRows:
    """The total first (the widget pins it), then the endpoints ``choice`` keeps in its order; ``marks``
    (baseline comparison, keyed by endpoint key) adds the :data:`DELTA_COLUMN` (endpoints the baseline
    lacks are ``new``). Rows are formatted as they are read."""

    def make(index: int, endpoint: EndpointStats) -> TableRow:
        mark = None if marks is None else marks.get(endpoint.key or AGGREGATED, NEW_ENDPOINT)
        return endpoint_row(endpoint, use_current, breaches, is_total=index == 0, mark=mark)

    return TableRows((snapshot.total, *arranged(snapshot.endpoints, choice, use_current)), make)


def table_rows(
    snapshot: RunSnapshot,
    use_current: bool,
    breaches: Breaches = no_breaches,
    marks: Mapping[str, RowMark] | None = None,
    choice: TableChoice = NAME_ORDER,
) -> list[TableRow]:
    """Every row of :func:`lazy_table_rows`, formatted."""
    return list(lazy_table_rows(snapshot, use_current, breaches, marks, choice))


def table_headers(
    columns: tuple[tuple[str, str], ...], choice: TableChoice, shown: int, total: int
) -> tuple[tuple[str, str], ...]:
    """``columns`` with the sort mark on the sorted one and the filter beside the name header."""
    caption = filter_caption(choice, shown, total)
    headers = []
    for column, header in columns:
        text = header_text(column, header, choice)
        headers.append((column, f"{text}  {caption}" if column == "name" and caption else text))
    return tuple(headers)


def threshold_breaches(settings: Settings, profile_name: str | None) -> Breaches:
    """Cell marking for the settings' limits (the profile's thresholds over the global ones)."""
    from perfconsole.verdicts.thresholds import cell_breaches

    profile = settings.profiles.get(profile_name) if profile_name else None
    thresholds = settings.thresholds_for(profile)

    def breaches(endpoint: EndpointStats, use_current: bool) -> Iterable[str]:
        result: Iterable[str] = cell_breaches(endpoint, thresholds, use_current)
        return result

    return breaches
