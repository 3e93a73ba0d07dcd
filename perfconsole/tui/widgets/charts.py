"""Braille charts over the run time with annotation marks on the time axis."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widget import Widget

from perfconsole.tui.chart import ChartData, mark_row, plot, time_labels

SERIES_ROLES = ("series-1", "series-2", "series-3")
ROLES = ("title", *SERIES_ROLES, "axis")
"""A chart's parts, each coloured by its component class ``run-chart--ROLE`` in app.tcss."""


def chart_text(
    data: ChartData | None, width: int, height: int, styles: Mapping[str, Style | str] | None = None
) -> Text:
    """The chart as styled text: a title line, the plot, the marked time axis and its labels; ``styles``
    by role (``ROLES``; none: plain).

    Runs of cells of the same series share one style span, so a repaint writes few escape sequences.
    """
    if data is None or width < 4 or height < 1:
        return Text("")
    role_style = (styles or {}).get
    series_styles = [role_style(role, "") for role in SERIES_ROLES]
    text = Text()
    legend = " ".join(s.label for s in data.series) if len(data.series) > 1 else ""
    title = f"{data.title}  {data.latest}"
    if len(title) + len(f"  top {data.y_max:g}") <= width:
        title += f"  top {data.y_max:g}"
    text.append(title[:width], style=role_style("title", ""))
    if legend and len(title) + len(legend) + 2 <= width:
        text.append("  ")
        for index, series in enumerate(data.series):
            text.append(series.label + " ", style=series_styles[index % len(series_styles)])
    plot_rows = height - 3
    if plot_rows >= 1:
        for row in plot(data.series, width, plot_rows, data.t_end, data.y_max, data.fill):
            text.append("\n")
            run_chars: list[str] = []
            run_owner = row[0][1]
            for char, owner in (*row, ("", -2)):
                if owner != run_owner and run_chars:
                    style = series_styles[run_owner % len(series_styles)] if run_owner >= 0 else ""
                    text.append("".join(run_chars), style=style)
                    run_chars = []
                run_owner = owner
                run_chars.append(char)
    if height >= 2:
        text.append("\n" + mark_row(data.marks, width, data.t_end), style=role_style("axis", ""))
    if height >= 3:
        text.append("\n" + time_labels(width, data.t_end), style=role_style("axis", ""))
    return text


class RunChart(Widget):
    """One chart; repaints only when what it would draw changes (a slow link pays for every repaint)."""

    DEFAULT_CSS = """
    RunChart { height: 1fr; min-height: 4; padding: 0 1; }
    """
    COMPONENT_CLASSES = {f"run-chart--{role}" for role in ROLES}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data: ChartData | None = None
        self._drawn: tuple[int, int, str] | None = None

    @property
    def data(self) -> ChartData | None:
        return self._data

    @data.setter
    def data(self, data: ChartData | None) -> None:
        self._data = data
        width, height = self.content_size.width, self.content_size.height
        key = (width, height, chart_text(data, width, height, self._styles()).markup)
        if key != self._drawn:
            self.refresh()

    def _styles(self) -> dict[str, Style]:
        return {role: self.get_component_rich_style(f"run-chart--{role}", partial=True) for role in ROLES}

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        text = chart_text(self._data, width, height, self._styles())
        self._drawn = (width, height, text.markup)
        return text


class ChartsPanel(Grid):
    """The four run charts: req/s, latency percentiles, users and errors."""

    DEFAULT_CSS = """
    ChartsPanel { grid-size: 2 2; height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        for name in ("rps", "latency", "users", "errors"):
            yield RunChart(id=f"chart-{name}")

    def show_charts(self, charts: tuple[ChartData, ChartData, ChartData, ChartData]) -> None:
        for name, data in zip(("rps", "latency", "users", "errors"), charts, strict=True):
            self.query_one(f"#chart-{name}", RunChart).data = data
