"""The resources panel (figures and charts) and the generator-saturation banner."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.tui.chart import ChartData
from perfconsole.tui.text_layout import Line
from perfconsole.tui.views.resource_charts import chart_marks, resource_charts
from perfconsole.tui.views.resource_lines import resource_lines
from perfconsole.tui.views.resource_state import ResourceState
from perfconsole.tui.views.saturation_banner import Banner
from perfconsole.tui.widgets.charts import RunChart

ROLES = ("head", "ok", "bad", "warn", "dim")
"""The roles of a line's parts, each coloured by its component class ``resource-figures--ROLE`` (app.tcss)."""
MODES = ("figures", "charts")
CHART_NAMES = ("cpu", "rss", "pool", "queue")
MIN_CHART_ROWS = 4
"""Rows one chart needs (title, a plot row, its time axis and labels); with fewer the charts are left out."""


def lines_text(lines: list[Line], styles: Mapping[str, Style | str] | None = None) -> Text:
    """The lines as text, each part styled by its role (none: plain)."""
    role_style = (styles or {}).get
    text = Text()
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        for part, role in line:
            text.append(part, style=role_style(role, ""))
    return text


class ResourceFigures(Widget):
    """Generator, box, target, metrics and limit lines, compact or detailed by width."""

    DEFAULT_CSS = """
    ResourceFigures { height: auto; padding: 0 1; }
    """
    COMPONENT_CLASSES = {f"resource-figures--{role}" for role in ROLES}

    state: reactive[ResourceState | None] = reactive(None, layout=True)

    def _lines(self, width: int) -> list[Line]:
        return resource_lines(self.state, max(20, width)) if self.state is not None else []

    def render(self) -> Text:
        styles = {
            role: self.get_component_rich_style(f"resource-figures--{role}", partial=True) for role in ROLES
        }
        if self.state is None:
            return Text("waiting for the first resource sample ...", style=styles["dim"])
        return lines_text(self._lines(self.content_size.width), styles)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self._lines(width)))


class ResourceCharts(Grid):
    """CPU (generator and target), target RSS, DB pool in use vs size, queue depth."""

    DEFAULT_CSS = """
    ResourceCharts { grid-size: 2 2; height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        for name in CHART_NAMES:
            yield RunChart(id=f"res-chart-{name}")

    def show_charts(self, charts: tuple[ChartData, ChartData, ChartData, ChartData]) -> None:
        for name, data in zip(CHART_NAMES, charts, strict=True):
            self.query_one(f"#res-chart-{name}", RunChart).data = data


class ResourcesPanel(Vertical):
    """The resources view: figures with charts under them when there is room, or the charts alone."""

    mode: reactive[str] = reactive("figures")

    def compose(self) -> ComposeResult:
        yield ResourceFigures(id="res-figures")
        yield ResourceCharts(id="res-charts")

    def cycle_mode(self) -> str:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        return self.mode

    def watch_mode(self) -> None:
        self._layout_children()

    def on_resize(self) -> None:
        self._layout_children()

    def _layout_children(self) -> None:
        """Figures mode: the charts get the rows the figures leave, in a 2x2 grid or one row of four."""
        figures = self.query_one(ResourceFigures)
        charts = self.query_one(ResourceCharts)
        figures.display = self.mode == "figures"
        free = self.content_size.height
        if self.mode == "figures":
            width = self.content_size.width
            free -= figures.get_content_height(self, self.size, width) if width else 0
        charts.display = free >= MIN_CHART_ROWS
        one_row = free < 2 * MIN_CHART_ROWS and self.mode == "figures"
        charts.styles.grid_size_columns = 4 if one_row else 2
        charts.styles.grid_size_rows = 1 if one_row else 2

    def show(self, state: ResourceState, charts: bool = True) -> None:
        """New figures every call; the charts only when ``charts`` (they cost the most to repaint)."""
        self.query_one(ResourceFigures).state = state
        self._layout_children()
        if charts:
            data = resource_charts(state.samples, chart_marks(state.annotations))
            self.query_one(ResourceCharts).show_charts(data)


class SaturationBanner(Widget):
    """``! load generator saturated ...`` while it lasts; dimmed once it happened in this run; else hidden."""

    DEFAULT_CSS = """
    SaturationBanner { height: auto; padding: 0 1; display: none; }
    SaturationBanner.-active { display: block; background: $warning; color: $background; text-style: bold; }
    SaturationBanner.-past { display: block; color: $warning; text-style: dim; }
    """

    banner: reactive[Banner | None] = reactive(None, layout=True)

    def watch_banner(self, banner: Banner | None) -> None:
        self.set_class(banner is not None and banner.active, "-active")
        self.set_class(banner is not None and not banner.active, "-past")

    def render(self) -> Text:
        return Text(self.banner.text if self.banner is not None else "")
