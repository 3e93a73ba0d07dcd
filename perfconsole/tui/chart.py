"""Pure text charts: braille line plots over run time with an annotated time axis (no Textual).

A plot is a grid of ``(character, series index)`` cells; widgets turn the index into a colour and the
characters alone still read without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from perfconsole.tui.formatting import fmt_duration, fmt_ms, fmt_rate

BRAILLE_BASE = 0x2800
_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""Braille dot bit by (row within cell, column within cell)."""

NO_SERIES = -1


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: values sampled at ``times`` (seconds since run start); None = no data."""

    label: str
    times: Sequence[float]
    values: Sequence[float | None]


def nice_ceiling(value: float) -> float:
    """Smallest of 1, 2, 5 x 10^n that is >= value (at least 1): a readable y-axis top."""
    if value <= 1:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def resample(
    times: Sequence[float], values: Sequence[float | None], t_end: float, slots: int
) -> list[float | None]:
    """Max value in each of ``slots`` equal time slots over [0, t_end] (peaks survive the squeeze)."""
    out: list[float | None] = [None] * slots
    sampled = [False] * slots
    if slots <= 0 or t_end <= 0:
        return out
    for t, v in zip(times, values, strict=False):
        if t < 0:
            continue
        slot = min(slots - 1, int(t / t_end * slots))
        sampled[slot] = True
        current = out[slot]
        if v is not None:
            out[slot] = v if current is None else max(current, v)
    # Slots between two samples that no sample fell into hold the previous value (no gaps when
    # there are more slots than samples); a sample of None stays a gap.
    last_sampled = max((i for i, seen in enumerate(sampled) if seen), default=-1)
    for slot in range(1, last_sampled):
        if not sampled[slot]:
            out[slot] = out[slot - 1]
            sampled[slot] = True
    return out


def plot(
    series: Sequence[Series], width: int, height: int, t_end: float, y_max: float, fill: bool = False
) -> list[list[tuple[str, int]]]:
    """Braille plot of every series over [0, t_end] x [0, y_max]: ``height`` rows of ``width`` cells.

    Consecutive points of a series are joined vertically so a line reads as a line; ``fill`` shades
    the area under a single series. A cell belongs to the last series that lit a dot in it.
    """
    width, height = max(1, width), max(1, height)
    dot_rows = height * 4
    bits = [[0] * width for _ in range(height)]
    owner = [[NO_SERIES] * width for _ in range(height)]

    def light(x: int, level: int, index: int) -> None:
        row_from_top = dot_rows - 1 - level
        cell_row, sub_row = divmod(row_from_top, 4)
        cell_col, sub_col = divmod(x, 2)
        bits[cell_row][cell_col] |= _DOT_BITS[sub_row][sub_col]
        owner[cell_row][cell_col] = index

    for index, line in enumerate(series):
        points = resample(line.times, line.values, t_end, width * 2)
        previous: int | None = None
        for x, value in enumerate(points):
            if value is None:
                previous = None
                continue
            level = max(0, min(dot_rows - 1, round(value / y_max * (dot_rows - 1)))) if y_max > 0 else 0
            low, high = (0, level) if fill else (level, level)
            if previous is not None and not fill:
                low, high = min(level, previous), max(level, previous)
            for lit in range(low, high + 1):
                light(x, lit, index)
            previous = level
    return [
        [(chr(BRAILLE_BASE + bits[r][c]) if bits[r][c] else " ", owner[r][c]) for c in range(width)]
        for r in range(height)
    ]


def mark_row(marks: Sequence[tuple[float, str]], width: int, t_end: float, empty: str = "─") -> str:
    """Time axis with one character per mark (``U`` users, ``D`` drill ...); ``+`` where marks collide."""
    row = [empty] * max(1, width)
    if t_end <= 0:
        return "".join(row)
    for t, char in marks:
        if t < 0 or t > t_end:
            continue
        col = min(len(row) - 1, int(t / t_end * len(row)))
        row[col] = char if row[col] == empty else "+"
    return "".join(row)


def time_labels(width: int, t_end: float) -> str:
    """``0:00`` at the left and the axis end at the right, padded to ``width``."""
    left, right = "0:00", fmt_duration(t_end)
    if width < len(left) + len(right) + 1:
        return right.rjust(width)[:width]
    return left + right.rjust(width - len(left))


AXIS_SPANS_S = (30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400)
"""Time-axis lengths: the axis grows in these steps, so it is stable between steps (and a repaint over a
slow link changes only the newest columns)."""


def chart_t_end(elapsed: Sequence[float], minimum: float = 30.0) -> float:
    """Time-axis end: the smallest axis span that holds the latest sample (at least ``minimum``)."""
    latest = max([minimum, *elapsed])
    return float(next((span for span in AXIS_SPANS_S if span >= latest), latest))


@dataclass(frozen=True, slots=True)
class ChartData:
    """What one chart widget draws."""

    title: str
    series: tuple[Series, ...]
    marks: tuple[tuple[float, str], ...]
    t_end: float
    y_max: float
    fill: bool = False
    latest: str = ""
    """Latest values in words, shown in the title line."""


def y_top(*columns: Sequence[float | None], floor: float = 0.0) -> float:
    """The y-axis top for ``columns``: a round number at or above their largest value (and ``floor``)."""
    return nice_ceiling(max([floor, *(v for column in columns for v in column if v is not None)]))


def time_chart(
    title: str,
    times: Sequence[float],
    columns: Sequence[tuple[str, Sequence[float | None]]],
    marks: Sequence[tuple[float, str]],
    t_end: float,
    *,
    latest: str = "",
    fill: bool = False,
    floor: float = 0.0,
) -> ChartData:
    """One chart of named ``columns`` sampled at ``times``, its y axis fitted to them."""
    return ChartData(
        title,
        tuple(Series(label, times, values) for label, values in columns),
        tuple(marks),
        t_end,
        y_top(*(values for _, values in columns), floor=floor),
        fill=fill,
        latest=latest,
    )


def build_charts(
    times: Sequence[float],
    rps: Sequence[float],
    fail_per_sec: Sequence[float],
    users: Sequence[float],
    p50: Sequence[float | None],
    p95: Sequence[float | None],
    p99: Sequence[float | None],
    marks: Sequence[tuple[float, str]],
    t_end: float,
) -> tuple[ChartData, ChartData, ChartData, ChartData]:
    """The dashboard's four charts (req/s, latency, users, errors) from aligned history columns."""

    def last(column: Sequence[float | None]) -> float | None:
        return column[-1] if column else None

    return (
        time_chart(
            "req/s", times, [("req/s", rps)], marks, t_end, fill=True, latest=f"now {fmt_rate(last(rps))}"
        ),
        time_chart(
            "latency ms",
            times,
            [("p50", p50), ("p95", p95), ("p99", p99)],
            marks,
            t_end,
            latest=f"p50 {fmt_ms(last(p50))} p95 {fmt_ms(last(p95))} p99 {fmt_ms(last(p99))}",
        ),
        time_chart(
            "users", times, [("users", users)], marks, t_end, fill=True, latest=f"now {last(users) or 0:.0f}"
        ),
        time_chart(
            "errors/s",
            times,
            [("errors/s", fail_per_sec)],
            marks,
            t_end,
            fill=True,
            latest=f"now {fmt_rate(last(fail_per_sec))}",
        ),
    )
