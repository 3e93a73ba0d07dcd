"""The one- or two-line status bar at the top of the dashboard."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.model.run import RunSnapshot, RunState
from perfconsole.tui.text_layout import pack_fields
from perfconsole.tui.views.status import status_fields
from perfconsole.tui.views.validity import invalid_field

STATE_ROLES = {
    RunState.RUNNING: "running",
    RunState.SPAWNING: "changing",
    RunState.STOPPING: "changing",
    RunState.FAILED: "failed",
}
"""The state field's component class (``status-bar--ROLE`` in app.tcss); other states: ``state``."""


class StatusBar(Widget):
    """State, users, rates, time, workers and stage, packed to the terminal width.

    A new snapshot every poll repaints the bar; the screen's layout is redone only when the bar's height
    (its packed lines) changes: a layout pass resizes every widget, and the scrollbars repaint with it."""

    DEFAULT_CSS = """
    StatusBar { height: auto; padding: 0 1; background: $panel; }
    """
    COMPONENT_CLASSES = {
        f"status-bar--{role}"
        for role in ("preparing", "running", "changing", "failed", "state", "frozen", "invalid")
    }

    def _style(self, role: str) -> Style:
        return self.get_component_rich_style(f"status-bar--{role}", partial=True)

    snapshot: reactive[RunSnapshot | None] = reactive(None)
    use_current: reactive[bool] = reactive(True)
    paused: reactive[bool] = reactive(False)
    frozen: reactive[str] = reactive("")
    """Set while the view is frozen: shown first, in reverse, e.g. ``FROZEN at 1:23 (z: live)``."""
    validity: reactive[str] = reactive("")
    """``invalid: <reasons>`` shows as a field after the state (``valid`` and empty show nothing)."""
    extra: reactive[tuple[str, ...]] = reactive(())
    """More fields after the rates (the arrival rate's, while one is on)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._laid_out: tuple[int, int] | None = None
        """(width, height) of the last layout; None: none yet."""

    def _fields_changed(self) -> None:
        """A field changed: lay the screen out again only if the bar's height moves."""
        if self._laid_out is None:
            return  # not laid out yet: the first layout measures it
        width, height = self._laid_out
        if self.get_content_height(None, None, width) != height:
            self.refresh(layout=True)

    def watch_snapshot(self) -> None:
        self._fields_changed()

    def watch_use_current(self) -> None:
        self._fields_changed()

    def watch_paused(self) -> None:
        self._fields_changed()

    def watch_frozen(self) -> None:
        self._fields_changed()

    def watch_validity(self) -> None:
        self._fields_changed()

    def watch_extra(self) -> None:
        self._fields_changed()

    def fields(self, snapshot: RunSnapshot, width: int) -> list[str]:
        fields = status_fields(snapshot, self.use_current, self.extra)
        if self.validity.startswith("invalid"):
            fields.insert(1, invalid_field(self.validity, width))
        return [self.frozen, *fields] if self.frozen else fields

    def render(self) -> Text:
        if self.snapshot is None:
            return Text("PREPARING  starting workers and target ...", style=self._style("preparing"))
        width = max(20, self.size.width - 2)
        fields = self.fields(self.snapshot, width)
        state = 1 if self.frozen else 0
        if self.paused:
            fields[state] = f"{fields[state]} (PAUSED)"
        lines = pack_fields(fields, width)
        text = Text("\n".join(lines))
        if self.frozen:
            text.stylize(self._style("frozen"), 0, len(self.frozen))
        start = text.plain.find(fields[state])
        role = STATE_ROLES.get(self.snapshot.state, "state")
        text.stylize(self._style(role), start, start + len(fields[state]))
        if fields[state + 1].startswith("INVALID"):
            start = text.plain.find(fields[state + 1])
            text.stylize(self._style("invalid"), start, start + len(fields[state + 1]))
        return text

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        height = 1
        if self.snapshot is not None:
            height = len(pack_fields(self.fields(self.snapshot, max(20, width - 2)), max(20, width - 2)))
        if container is not None:  # Textual's layout (not :meth:`_fields_changed`'s check)
            self._laid_out = (width, height)
        return height
