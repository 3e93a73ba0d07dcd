"""The knee chart as text (pure, no Textual): braille lines of achieved req/s and p95 latency over the
offered load, each on its own y scale, a ✓/✗ per step on the x axis, the SLO capacity (``┊``) and the knee
(``┆``) as columns; both in one column (the knee at the capacity, or levels a cell apart): ``┋``.

Rows are lists of ``(text, role)`` segments; the widget maps a role to a component class, and the characters
alone still read without colour. Roles: ``title``, ``rps``, ``p95``, ``pass``, ``fail``, ``mark``, ``axis``.
"""

from __future__ import annotations

from collections.abc import Sequence

from perfconsole.application.knee_chart import KneeChart, KneePoint, axis_value
from perfconsole.tui.chart import BRAILLE_BASE

Segment = tuple[str, str]
Row = list[Segment]

_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""Braille dot bit by (row within cell, column within cell)."""
CAPACITY_MARK = "┊"
KNEE_MARK = "┆"
BOTH_MARK = "┋"
"""The SLO capacity and the knee in one column."""
PASS_MARK = "✓"
FAIL_MARK = "✗"
MIN_WIDTH = 20
MIN_HEIGHT = 4


def level_column(chart: KneeChart, level: float, width: int) -> int:
    """The text column of an offered level on a plot ``width`` cells wide."""
    return min(width - 1, max(0, round(chart.x(level) * (width * 2 - 1)) // 2))


def interpolated(points: Sequence[tuple[float, float]], dots: int, top: float) -> list[float | None]:
    """Per dot column (``dots`` over [0, top]) the value linearly interpolated between ``points``
    ((level, value), in level order); None left of the first and right of the last."""
    out: list[float | None] = [None] * dots
    if not points or top <= 0 or dots <= 0:
        return out
    for dot in range(dots):
        level = dot / max(1, dots - 1) * top
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            if x0 <= level <= x1:
                out[dot] = y0 if x1 == x0 else y0 + (y1 - y0) * (level - x0) / (x1 - x0)
                break
    for x, y in points:  # every point lights its own column, even a lone one
        out[min(dots - 1, round(x / top * (dots - 1)))] = y
    return out


def braille_rows(lines: Sequence[list[float | None]], width: int, height: int) -> list[list[tuple[str, int]]]:
    """``lines`` (fractions 0-1 per dot column) as ``height`` rows of (character, line index) cells,
    consecutive dots joined vertically; -1: no line in the cell."""
    dot_rows = height * 4
    bits = [[0] * width for _ in range(height)]
    owner = [[-1] * width for _ in range(height)]
    for index, values in enumerate(lines):
        previous: int | None = None
        for x, value in enumerate(values[: width * 2]):
            if value is None:
                previous = None
                continue
            level = max(0, min(dot_rows - 1, round(value * (dot_rows - 1))))
            low, high = (level, level) if previous is None else (min(level, previous), max(level, previous))
            for lit in range(low, high + 1):
                cell_row, sub_row = divmod(dot_rows - 1 - lit, 4)
                cell_col, sub_col = divmod(x, 2)
                bits[cell_row][cell_col] |= _DOT_BITS[sub_row][sub_col]
                owner[cell_row][cell_col] = index
            previous = level
    return [
        [(chr(BRAILLE_BASE + bits[r][c]) if bits[r][c] else " ", owner[r][c]) for c in range(width)]
        for r in range(height)
    ]


def _segments(cells: Sequence[tuple[str, str]]) -> Row:
    """Cells of (character, role) joined into runs of one role."""
    row: Row = []
    for char, role in cells:
        if row and row[-1][1] == role:
            row[-1] = (row[-1][0] + char, role)
        else:
            row.append((char, role))
    return row


def shared_column(chart: KneeChart, width: int) -> bool:
    """The SLO capacity and the knee fall in one column of a plot ``width`` cells wide."""
    if chart.capacity is None or chart.knee is None:
        return False
    return level_column(chart, chart.capacity, width) == level_column(chart, chart.knee, width)


def title_row(chart: KneeChart, width: int) -> Row:
    """The legend: each line's name, colour and axis top, widest form that fits."""
    rps, p95 = axis_value(chart.rps_top), axis_value(chart.p95_top)
    forms = (
        [
            ("━ req/s", "rps"),
            (f" 0-{rps}  ", "title"),
            ("━ p95 ms", "p95"),
            (f" 0-{p95}  ", "title"),
            (PASS_MARK, "pass"),
            (" pass ", "title"),
            (FAIL_MARK, "fail"),
            (" fail", "title"),
        ],
        [("━ req/s", "rps"), (f" 0-{rps}  ", "title"), ("━ p95 ms", "p95"), (f" 0-{p95}", "title")],
        [("req/s", "rps"), (f"≤{rps} ", "title"), ("p95", "p95"), (f"≤{p95}ms", "title")],
    )
    for form in forms:
        if sum(len(text) for text, _ in form) <= width:
            return list(form)
    return [(f"req/s≤{rps}"[:width], "rps")]


def axis_row(chart: KneeChart, width: int) -> Row:
    """The x axis: ``─`` with each step's verdict at its level's column."""
    cells = [("─", "axis")] * width
    for point in chart.points:
        col = level_column(chart, point.level, width)
        cells[col] = (PASS_MARK, "pass") if point.passed else (FAIL_MARK, "fail")
    return _segments(cells)


def label_row(chart: KneeChart, width: int) -> Row:
    """``0``, where the capacity and the knee are, and the axis end with the unit."""
    right = f"{axis_value(chart.level_top)}{chart.unit}"
    middle: Row = [(" offered", "axis")]
    if chart.capacity is not None and chart.knee is not None and shared_column(chart, width):
        both = (
            f"capacity = knee {chart.knee:g}"
            if chart.knee == chart.capacity
            else (f"capacity {chart.capacity:g}, knee {chart.knee:g}")
        )
        middle += [(f"  {BOTH_MARK}", "mark"), (f" {both}", "axis")]
    else:
        if chart.capacity is not None:
            middle += [(f"  {CAPACITY_MARK}", "mark"), (f" capacity {chart.capacity:g}", "axis")]
        if chart.knee is not None:
            middle += [(f"  {KNEE_MARK}", "mark"), (f" knee {chart.knee:g}", "axis")]
    while middle and 1 + sum(len(t) for t, _ in middle) + 1 + len(right) > width:
        middle = middle[:-2] if len(middle) > 1 else []
    used = 1 + sum(len(t) for t, _ in middle)
    if used + len(right) > width:
        return [(right.rjust(width)[:width], "axis")]
    return [("0", "axis"), *middle, (" " * (width - used - len(right)) + right, "axis")]


def plot_rows(chart: KneeChart, width: int, height: int) -> list[Row]:
    """The plot: both lines as braille, the capacity and knee columns dotted where no line is."""
    dots = width * 2
    points: Sequence[KneePoint] = chart.points
    rps = interpolated([(p.level, chart.y_rps(p.rps)) for p in points], dots, chart.level_top)
    p95 = interpolated(
        [(p.level, chart.y_p95(p.p95_ms)) for p in points if p.p95_ms is not None], dots, chart.level_top
    )
    grid = braille_rows([rps, p95], width, height)
    marks: dict[int, str] = {}
    for level, char in ((chart.knee, KNEE_MARK), (chart.capacity, CAPACITY_MARK)):
        if level is not None:
            col = level_column(chart, level, width)
            marks[col] = BOTH_MARK if col in marks else char
    rows = []
    for cells in grid:
        styled = []
        for col, (char, owner) in enumerate(cells):
            if owner >= 0:
                styled.append((char, ("rps", "p95")[owner]))
            elif col in marks:
                styled.append((marks[col], "mark"))
            else:
                styled.append((char, "axis"))
        rows.append(_segments(styled))
    return rows


def knee_rows(chart: KneeChart | None, width: int, height: int) -> list[Row]:
    """The whole chart in ``width`` x ``height`` cells (at most): legend, plot, axis, labels; a line saying
    why when there is nothing to draw or no room."""
    if chart is None:
        return [[("knee chart: after the first step", "title")]]
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return [[("knee chart: no room"[:width], "title")]]
    return [
        title_row(chart, width),
        *plot_rows(chart, width, height - 3),
        axis_row(chart, width),
        label_row(chart, width),
    ]


def plain(rows: Sequence[Row]) -> list[str]:
    """The rows' characters alone (tests, the tmux check)."""
    return ["".join(text for text, _ in row) for row in rows]
