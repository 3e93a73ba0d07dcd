"""Pure functions that turn engine snapshots into the console's rows and lines (tested without Textual)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from perfconsole.config import Profile
from perfconsole.engine.scenario import ScenarioInfo
from perfconsole.model.run import (
    AGGREGATED,
    Annotation,
    EndpointStats,
    ErrorStats,
    ExceptionStats,
    HistoryPoint,
    RunSnapshot,
    WorkerInfo,
)
from perfconsole.tui.chart import ChartData, Series, build_charts, chart_t_end, nice_ceiling
from perfconsole.tui.formatting import (
    fmt_bytes,
    fmt_duration,
    fmt_ms,
    fmt_pct,
    fmt_rate,
    fmt_spawn_rate,
)
from perfconsole.tui.marks import BREACH_MARK, METRIC_TO_COLUMN, REGRESSED_CELL_MARK, REGRESSED_ROW_MARK
from perfconsole.tui.shown import shown_text
from perfconsole.tui.store_view import NEW_ENDPOINT, RowMark

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


def table_rows(
    snapshot: RunSnapshot,
    use_current: bool,
    breaches: Breaches = no_breaches,
    marks: Mapping[str, RowMark] | None = None,
) -> list[TableRow]:
    """Endpoints sorted by name, then the total; ``marks`` (baseline comparison, keyed by endpoint key)
    adds the :data:`DELTA_COLUMN` (endpoints the baseline lacks are ``new``)."""

    def mark(endpoint: EndpointStats) -> RowMark | None:
        return None if marks is None else marks.get(endpoint.key or AGGREGATED, NEW_ENDPOINT)

    rows = [
        endpoint_row(endpoint, use_current, breaches, mark=mark(endpoint))
        for endpoint in sorted(snapshot.endpoints, key=lambda e: (e.name, e.method))
    ]
    rows.append(endpoint_row(snapshot.total, use_current, breaches, is_total=True, mark=mark(snapshot.total)))
    return rows


def view_label(use_current: bool, window_s: int = 10) -> str:
    return f"current {window_s}s window" if use_current else "whole run"


def failure_percent(snapshot: RunSnapshot, use_current: bool) -> float:
    """Failure share of requests in the chosen view, 0-100."""
    total = snapshot.total
    if use_current:
        return 100.0 * total.current_fail_per_sec / total.current_rps if total.current_rps else 0.0
    return 100.0 * total.fail_ratio


def status_fields(snapshot: RunSnapshot, use_current: bool) -> list[str]:
    """The status bar's fields, most important first."""
    total = snapshot.total
    rps = total.current_rps if use_current else total.total_rps
    fields = [
        snapshot.state.value.upper(),
        f"users {snapshot.user_count}/{snapshot.target_user_count} @{fmt_spawn_rate(snapshot.spawn_rate)}/s",
        f"req/s {fmt_rate(rps)}",
        f"fail {fmt_pct(failure_percent(snapshot, use_current))}",
        f"elapsed {fmt_duration(snapshot.elapsed_s)}",
        "left " + ("until stopped" if snapshot.remaining_s is None else fmt_duration(snapshot.remaining_s)),
        worker_summary(snapshot),
    ]
    if snapshot.profile:
        fields.append(f"profile {snapshot.profile}")
    if snapshot.stage == "manual":  # the operator left the shape: no stages from here on
        fields.append("manual")
    elif snapshot.stage:
        fields.append(f"stage {snapshot.stage}")
    fields.append(f"view {view_label(use_current, snapshot.window_s)}")
    return fields


def worker_summary(snapshot: RunSnapshot) -> str:
    if snapshot.expected_workers == 0 and not snapshot.workers:
        return "workers local"
    text = f"workers {snapshot.ready_worker_count}/{snapshot.expected_workers} ready"
    missing = max(snapshot.missing_worker_count, snapshot.expected_workers - len(snapshot.workers))
    if missing:
        text += f" {missing} missing"
    return text


def pack_fields(fields: Sequence[str], width: int, separator: str = "  ") -> list[str]:
    """Greedy line packing of fields into lines of at most ``width`` characters (a field never splits)."""
    lines: list[str] = []
    current = ""
    for field in fields:
        candidate = f"{current}{separator}{field}" if current else field
        if current and len(candidate) > width:
            lines.append(current)
            current = field
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


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


@dataclass(frozen=True, slots=True)
class WorkerRow:
    id: str
    state: str
    users: str
    cpu: str
    memory: str
    health: str


def worker_rows(workers: Iterable[WorkerInfo]) -> list[WorkerRow]:
    rows = []
    for worker in sorted(workers, key=lambda w: w.id):
        missing = not worker.heartbeat_ok or worker.state == "missing"
        ident = worker.id if worker.pid is None else f"{worker.id} (pid {worker.pid})"
        rows.append(
            WorkerRow(
                ident,
                worker.state,
                str(worker.user_count),
                f"{worker.cpu_percent:.0f}%",
                fmt_bytes(worker.memory_bytes),
                "MISSING" if missing else "ok",
            )
        )
    return rows


ANNOTATION_MARKS: dict[str, str] = {
    "note": "N",
    "users": "U",
    "profile": "P",
    "drill": "D",
    "worker": "W",
    "warning": "!",
    "snapshot": "S",
}
"""One-letter mark of each annotation kind on the charts' time axis."""


def annotation_mark(kind: str) -> str:
    return ANNOTATION_MARKS.get(kind, "*")


def annotation_lines(annotations: Iterable[Annotation]) -> list[str]:
    """``0:35 U users  20 -> 40`` lines, in time order."""
    return [
        f"{fmt_duration(a.elapsed_s):>7} {annotation_mark(a.kind)} {a.kind:<8} {shown_text(a.text)}"
        for a in sorted(annotations, key=lambda a: a.elapsed_s)
    ]


def dashboard_charts(
    history: Sequence[HistoryPoint], annotations: Sequence[Annotation], minimum_span_s: float = 30.0
) -> tuple[ChartData, ChartData, ChartData, ChartData]:
    """The four dashboard charts over the whole run, annotations marked on the time axis."""
    times = [p.elapsed_s for p in history]
    t_end = chart_t_end([*times, *(a.elapsed_s for a in annotations)], minimum_span_s)
    return build_charts(
        times,
        [p.rps for p in history],
        [p.fail_per_sec for p in history],
        [float(p.user_count) for p in history],
        [p.p50_ms for p in history],
        [p.p95_ms for p in history],
        [p.p99_ms for p in history],
        [(a.elapsed_s, annotation_mark(a.kind)) for a in annotations],
        t_end,
    )


def profile_preview(points: Sequence[tuple[float, int]], peak_users: int) -> ChartData:
    """The start screen's small users-over-time chart of a profile's plan."""
    times = [t for t, _ in points]
    users: list[float | None] = [float(u) for _, u in points]
    t_end = times[-1] if times and times[-1] > 0 else 1.0
    return ChartData(
        "planned users",
        (Series("users", times, users),),
        (),
        t_end,
        nice_ceiling(max([1.0, *(float(u) for _, u in points)])),
        fill=True,
        latest=f"peak {peak_users}",
    )


def scenario_lines(info: ScenarioInfo) -> list[str]:
    """Docstring, user classes with weights and tags, and the scenario's tags, for the start screen."""
    lines = [info.docstring.strip() or info.title]
    for user in info.user_classes:
        tags = f"  tags {', '.join(user.tags)}" if user.tags else ""
        lines.append(f"• {user.name} (weight {user.weight}){tags}")
    if info.tags:
        lines.append(f"tags: {', '.join(info.tags)}")
    return lines


def profile_line(profile: Profile) -> str:
    """``Typical daytime traffic: 20 users @2/s for 5:00`` (stages counted for a staged profile)."""
    duration = "until stopped" if profile.duration_s is None else f"for {fmt_duration(profile.duration_s)}"
    if profile.stages:
        plan = f"{len(profile.stages)} stages up to {max(s.users for s in profile.stages)} users"
    else:
        plan = f"{profile.users} users @{fmt_spawn_rate(profile.spawn_rate)}/s"
    text = f"{plan} {duration}" + (f"; {profile.mix.describe()}" if profile.mix else "")
    return f"{profile.description}: {text}" if profile.description else text
