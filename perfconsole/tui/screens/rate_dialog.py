"""The exact-rate dialog (``R``): one field, validated in place like the users dialog."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from perfconsole.errors import UserError
from perfconsole.tui.controls import parse_arrival_rate
from perfconsole.tui.screens.users_dialog import FormField, UsersModal


class RateModal(UsersModal):
    """Iterations per second; ``0`` (or ``off``) leaves the rate: the users' own loop paces them again.
    Dismissed with the rate (0.0 for off), or None when cancelled."""

    FIELDS: tuple[str, ...] = ("rate-input",)

    def __init__(self, rate: float | None, hint: str = "") -> None:
        super().__init__(0, 0.0, hint)
        self.rate = rate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Set the arrival rate (Enter applies, Esc cancels)")
            yield Label("iterations/s (0 or off: back to the users' own wait_time)")
            yield FormField("" if self.rate is None else f"{self.rate:g}", id="rate-input")
            if self.hint:
                yield Label(self.hint, id="dialog-hint", markup=False)
            yield Label("", id="dialog-error", classes="dialog-error")

    def submit(self) -> None:
        try:
            rate = parse_arrival_rate(self.field(0).value)
        except UserError as exc:
            self.query_one("#dialog-error", Label).update(f"✗ refused: {exc}")
            return
        self.dismiss((0, rate))
