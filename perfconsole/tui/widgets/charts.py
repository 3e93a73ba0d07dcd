"""Braille charts over the run time with annotation marks on the time axis."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.tui.chart import ChartData, mark_row, plot, time_labels

SERIES_STYLES = ("green", "yellow", "red")


class RunChart(Widget):
    """One chart: a title line with the latest values, the plot, the marked time axis and its labels."""

    DEFAULT_CSS = """
    RunChart { height: 1fr; min-height: 4; padding: 0 1; }
    """

    data: reactive[ChartData | None] = reactive(None)

    def render(self) -> Text:
        data = self.data
        width, height = self.size.width - 2, self.size.height
        if data is None or width < 4 or height < 1:
            return Text("")
        text = Text()
        legend = " ".join(s.label for s in data.series) if len(data.series) > 1 else ""
        title = f"{data.title}  {data.latest}"
        if len(title) + len(f"  top {data.y_max:g}") <= width:
            title += f"  top {data.y_max:g}"
        text.append(title[:width], style="bold")
        if legend and len(title) + len(legend) + 2 <= width:
            text.append("  ")
            for index, series in enumerate(data.series):
                text.append(series.label + " ", style=SERIES_STYLES[index % len(SERIES_STYLES)])
        plot_rows = height - 3
        if plot_rows >= 1:
            for row in plot(data.series, width, plot_rows, data.t_end, data.y_max, data.fill):
                text.append("\n")
                for char, owner in row:
                    text.append(char, style=SERIES_STYLES[owner % len(SERIES_STYLES)] if owner >= 0 else "")
        if height >= 2:
            text.append("\n" + mark_row(data.marks, width, data.t_end), style="dim")
        if height >= 3:
            text.append("\n" + time_labels(width, data.t_end), style="dim")
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
