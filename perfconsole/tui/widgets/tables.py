"""Failures, exceptions, workers, annotations, stages and log views."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from perfconsole.model.stages import StageStats
from perfconsole.tui.shown import shown_text
from perfconsole.tui.views.failures import ExceptionRow, FailureRow
from perfconsole.tui.views.workers import WorkerRow


class RowsTable(DataTable[Text]):
    """A read-only table whose rows are replaced only when they change (cells are plain text, not markup:
    endpoint names such as ``/api/x/[id]/`` contain brackets)."""

    DEFAULT_CSS = """
    RowsTable { height: auto; max-height: 100%; }
    """

    def __init__(self, columns: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", show_cursor=False)
        self._columns = columns
        self._shown: list[tuple[str, ...]] = []

    def on_mount(self) -> None:
        self.add_columns(*self._columns)

    def show_rows(self, rows: list[tuple[str, ...]]) -> None:
        if rows == self._shown:
            return
        self._shown = rows
        self.clear()
        for row in rows:
            self.add_row(*(Text(cell) for cell in row))


class FailuresView(Vertical):
    """Failures grouped by endpoint and error, and exceptions grouped by message, with counts."""

    def compose(self) -> ComposeResult:
        yield Label("Failures (grouped by endpoint and error)", classes="view-title")
        yield RowsTable(("count", "method", "name", "error"), id="failures-table")
        yield Label("Exceptions in user code", classes="view-title")
        yield RowsTable(("count", "message", "where", "workers"), id="exceptions-table")

    def show(self, failures: list[FailureRow], exceptions: list[ExceptionRow]) -> None:
        self.query_one("#failures-table", RowsTable).show_rows(
            [(str(r.count), r.method, r.name, r.error) for r in failures] or [("0", "", "no failures", "")]
        )
        self.query_one("#exceptions-table", RowsTable).show_rows(
            [(str(r.count), r.message, r.where, r.nodes) for r in exceptions]
            or [("0", "no exceptions", "", "")]
        )


class WorkersView(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("Workers", classes="view-title")
        yield RowsTable(("worker", "state", "users", "CPU", "memory", "heartbeat"), id="workers-table")

    def show(self, workers: list[WorkerRow], summary: str) -> None:
        self.query_one(Label).update(f"Workers: {summary}")
        self.query_one("#workers-table", RowsTable).show_rows(
            [(w.id, w.state, w.users, w.cpu, w.memory, w.health) for w in workers]
            or [("(users run in the console process)", "", "", "", "", "")]
        )


class NotesView(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("Annotations (N note, U users, P profile, D drill, W worker)", classes="view-title")
        yield Label("", id="notes-text")

    def show(self, lines: list[str]) -> None:
        self.query_one("#notes-text", Label).update(Text("\n".join(lines) if lines else "no annotations yet"))


class StagesView(Vertical):
    """Figures per stage of the run (a staged profile's stages, plateaus, a spike's phases), newest last."""

    MAX_ROWS = 12

    def compose(self) -> ComposeResult:
        yield Label("Stages (t): requests, failures and percentiles per stage", classes="view-title")
        yield Label("", id="stages-text")

    def show(self, stages: tuple[StageStats, ...]) -> None:
        from perfconsole.store.stages_codec import stages_table

        lines = stages_table(stages[-self.MAX_ROWS :])
        text = "\n".join(lines[1:]) if lines else "no stage yet: figures appear once the run has requests"
        self.query_one("#stages-text", Label).update(Text(text))


class LogView(Vertical):
    """The newest lines of what workers printed and logged, and Locust's warnings (also in workers.log)."""

    def compose(self) -> ComposeResult:
        yield Label("Log: workers' output and Locust's warnings, newest last", classes="view-title")
        yield Label("", id="log-text")

    def show(self, lines: list[str]) -> None:
        """The newest lines that fit under the title (the whole log is in workers.log)."""
        fits = max(1, self.size.height - 1)
        text = "\n".join(shown_text(line) for line in lines[-fits:]) if lines else "nothing logged yet"
        self.query_one("#log-text", Label).update(Text(text))
