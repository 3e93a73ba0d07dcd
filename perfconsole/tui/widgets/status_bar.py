"""The one- or two-line status bar at the top of the dashboard."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.model.run import RunSnapshot, RunState
from perfconsole.tui.text_layout import pack_fields
from perfconsole.tui.views.status import status_fields

STATE_STYLES = {
    RunState.RUNNING: "bold green",
    RunState.SPAWNING: "bold yellow",
    RunState.STOPPING: "bold yellow",
    RunState.FAILED: "bold red",
}


class StatusBar(Widget):
    """State, users, rates, time, workers and stage, packed to the terminal width."""

    DEFAULT_CSS = """
    StatusBar { height: auto; padding: 0 1; background: $panel; }
    """

    snapshot: reactive[RunSnapshot | None] = reactive(None, layout=True)
    use_current: reactive[bool] = reactive(True)
    paused: reactive[bool] = reactive(False)

    def render(self) -> Text:
        if self.snapshot is None:
            return Text("PREPARING  starting workers and target ...", style="bold yellow")
        fields = status_fields(self.snapshot, self.use_current)
        if self.paused:
            fields[0] = f"{fields[0]} (PAUSED)"
        lines = pack_fields(fields, max(20, self.size.width - 2))
        text = Text("\n".join(lines))
        text.stylize(STATE_STYLES.get(self.snapshot.state, "bold"), 0, len(fields[0]))
        return text

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        if self.snapshot is None:
            return 1
        return len(pack_fields(status_fields(self.snapshot, self.use_current), max(20, width - 2)))
