"""Dialogs of the run store: snapshot note, promote to baseline (name, note, confirm), pick a baseline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from perfconsole.errors import UserError
from perfconsole.store.baselines import BaselineInfo
from perfconsole.tui.formatting import fmt_ms
from perfconsole.tui.screens.modals import RunTimeTextModal
from perfconsole.tui.shown import shown_text


class SnapshotModal(RunTimeTextModal):
    """Ask for the note of a mid-run snapshot; Enter saves, Escape cancels."""

    PROMPT = "Snapshot at {at}: a note (Enter saves, Esc cancels)"
    PLACEHOLDER = "e.g. before the cache flush"
    INPUT_ID = "snapshot-note"
    EMPTY_ERROR = "✗ a snapshot needs a note (Esc cancels)"


@dataclass(frozen=True, slots=True)
class BaselineRequest:
    name: str
    note: str | None
    replace: bool
    """The operator confirmed replacing an existing baseline of that name."""


ExistingBaseline = Callable[[str], str | None]
"""``name -> None`` if free, else a description of what it would replace; UserError if invalid."""


class BaselineModal(ModalScreen[BaselineRequest | None]):
    """Name and note of a new baseline. An invalid name is refused in place; an existing one asks first
    (Enter again replaces it)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, source: str, existing: ExistingBaseline) -> None:
        super().__init__()
        self.source = source
        self.existing = existing
        self._confirming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Promote {self.source} to a baseline (Enter saves, Tab next, Esc cancels)")
            yield Label("name (letters, digits, - _ .)")
            yield Input(placeholder="e.g. light-v42", id="baseline-name")
            yield Label("note")
            yield Input(placeholder="why this one? e.g. release 4.2 on staging", id="baseline-note")
            yield Label("", id="dialog-error", classes="dialog-error")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "baseline-name" and self._confirming is not None:
            self._confirming = None
            self._error("")

    def _error(self, text: str) -> None:
        self.query_one("#dialog-error", Label).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.query_one("#baseline-name", Input).value.strip()
        note = " ".join(self.query_one("#baseline-note", Input).value.split()) or None
        try:
            existing = self.existing(name)
        except UserError as exc:
            self._error(f"✗ refused: {exc}")
            self.query_one("#baseline-name", Input).focus()
            return
        if existing is not None and self._confirming != name:
            self._confirming = name
            self._error(f"✗ baseline {name!r} exists ({existing}): Enter again replaces it, Esc cancels")
            return
        self.dismiss(BaselineRequest(name, note, replace=existing is not None))

    def action_cancel(self) -> None:
        self.dismiss(None)


NO_BASELINE = ""
"""What :class:`BaselinePickModal` returns for "compare with nothing"."""


def baseline_option_text(info: BaselineInfo) -> str:
    p95 = info.run.summary.get("p95_ms")
    figure = fmt_ms(float(p95)) if isinstance(p95, int | float) else "-"
    note = f"  {info.note}" if info.note else ""
    return shown_text(f"{info.name}  p95 {figure} ms  ({info.source_run}){note}")


class BaselinePickModal(ModalScreen[str | None]):
    """Pick the baseline to compare with live (or none); returns its name, NO_BASELINE, or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, baselines: list[BaselineInfo], current: str | None, broken: list[str]) -> None:
        super().__init__()
        self.baselines, self.current, self.broken = baselines, current, broken

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Compare with a baseline (Enter picks, Esc cancels)")
            options = [Option(Text("(none: no comparison)"), id="-")]
            for info in self.baselines:
                now = " (now)" if info.name == self.current else ""
                options.append(Option(Text(baseline_option_text(info) + now), id=f"b:{info.name}"))
            yield OptionList(*options, id="baseline-options")
            if not self.baselines:
                yield Label("no baselines yet: B promotes a saved run", classes="dialog-error")
            for error in self.broken[:3]:
                yield Label(Text(f"✗ unreadable: {shown_text(error)}"), classes="dialog-error")

    def on_mount(self) -> None:
        names = [b.name for b in self.baselines]
        options = self.query_one(OptionList)
        options.highlighted = names.index(self.current) + 1 if self.current in names else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or "-"
        self.dismiss(option_id[2:] if option_id.startswith("b:") else NO_BASELINE)

    def action_cancel(self) -> None:
        self.dismiss(None)
