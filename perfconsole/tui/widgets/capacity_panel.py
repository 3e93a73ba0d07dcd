"""The capacity view: a search's answer and last steps over its knee chart (live, or from a saved run)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from perfconsole.application.knee_chart import KneeChart, knee_chart
from perfconsole.model.capacity import CapacityResult
from perfconsole.tui.views.capacity import panel_lines
from perfconsole.tui.views.knee_text import knee_rows

ROLES = ("title", "rps", "p95", "pass", "fail", "mark", "axis")


class KneeChartView(Widget):
    """The knee chart: achieved req/s and p95 over the offered load (``tui/views/knee_text.py``); colours
    from its component classes in app.tcss, one per role."""

    COMPONENT_CLASSES = {f"knee-chart--{role}" for role in ROLES}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chart: KneeChart | None = None

    @property
    def chart(self) -> KneeChart | None:
        return self._chart

    @chart.setter
    def chart(self, chart: KneeChart | None) -> None:
        if chart != self._chart:
            self._chart = chart
            self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        text = Text()
        for number, row in enumerate(knee_rows(self._chart, width, height)):
            if number:
                text.append("\n")
            for segment, role in row:
                text.append(segment, style=self.get_component_rich_style(f"knee-chart--{role}"))
        return text


class CapacityPanel(Vertical):
    """A search's lines (``tui/views/capacity.py``) above its knee chart, fitted again on a resize."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[CapacityResult | None, str | None] = (None, None)

    def compose(self) -> ComposeResult:
        yield Static("", id="capacity-lines")
        yield KneeChartView(id="knee-chart")

    def show(self, result: CapacityResult | None, doing: str | None = None) -> None:
        """``result``: the search so far or its answer; ``doing``: the step being held, in words."""
        self._shown = (result, doing)
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        result, doing = self._shown
        budget = max(1, min(4, self.size.height - 6))  # the chart keeps at least 6 rows
        lines = panel_lines(result, doing, max(20, self.size.width - 2), budget)
        self.query_one("#capacity-lines", Static).update(Text("\n".join(lines)))
        self.query_one(KneeChartView).chart = knee_chart(result)
