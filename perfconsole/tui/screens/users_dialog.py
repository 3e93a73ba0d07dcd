"""The exact-users dialog: keys land in the field they were typed into, however fast they come.

Textual sends a key to the widget focused when the app reads it, and moves focus on Tab only after the
Tab has travelled up from that widget: keys read in between still go to the old field (``5`` Tab ``5``
Enter typed fast started 55 users at the old rate). Here the fields never take focus: this screen reads
every key itself, in the order typed, and edits the active field. The dashboard binds its ``u`` with
priority, so the dialog is the screen on top before the app reads the next key."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from perfconsole.errors import UserError
from perfconsole.tui.controls import parse_spawn_rate, parse_users

EDIT_ACTIONS = {
    "backspace": "delete_left",
    "delete": "delete_right",
    "left": "cursor_left",
    "right": "cursor_right",
    "home": "home",
    "end": "end",
}
"""Editing keys of a field, as the field's own actions."""


class FormField(Input):
    """An input edited through its screen (never focused); ``-active`` marks the one being typed into."""

    can_focus = False


class UsersModal(ModalScreen[tuple[int, float | None] | None]):
    """Exact user count and spawn rate, validated in place: a bad value is refused, the dialog stays.
    Enter applies, Tab / shift+Tab switch fields, Escape cancels; a field's text is selected when it
    becomes active, so typing replaces it."""

    FIELDS: tuple[str, ...] = ("users-input", "rate-input")

    def __init__(self, users: int, spawn_rate: float, hint: str = "") -> None:
        super().__init__()
        self.users, self.spawn_rate, self.hint = users, spawn_rate, hint
        self.active = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Set users (Enter applies, Tab next field, Esc cancels)")
            yield Label("users")
            yield FormField(str(self.users), id="users-input")
            yield Label("spawn rate (users/s; empty keeps the current rate)")
            yield FormField(f"{self.spawn_rate:g}", id="rate-input")
            if self.hint:
                yield Label(self.hint, id="dialog-hint", markup=False)
            yield Label("", id="dialog-error", classes="dialog-error")

    def on_mount(self) -> None:
        self.activate(0)

    def field(self, index: int) -> Input:
        return self.query_one(f"#{self.FIELDS[index]}", Input)

    def activate(self, index: int) -> None:
        self.field(self.active).remove_class("-active")
        self.active = index % len(self.FIELDS)
        active = self.field(self.active)
        active.add_class("-active")
        active.select_all()

    async def on_key(self, event: events.Key) -> None:
        """Every key of the dialog, read in the order typed."""
        key, field = event.key, self.field(self.active)
        if key in ("tab", "shift+tab"):
            self.activate(self.active + (1 if key == "tab" else -1))
        elif key == "enter":
            self.submit()
        elif key == "escape":
            self.dismiss(None)
        elif key in EDIT_ACTIONS:
            await field.run_action(EDIT_ACTIONS[key])
        elif event.is_printable and event.character is not None:
            self.type_text(event.character)
        else:
            return  # e.g. ctrl+p: the app's own keys
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        if event.text:
            self.type_text(event.text.splitlines()[0])
        event.stop()

    def on_click(self, event: events.Click) -> None:
        if isinstance(event.widget, FormField) and event.widget.id in self.FIELDS:
            self.activate(self.FIELDS.index(event.widget.id))

    def type_text(self, text: str) -> None:
        field = self.field(self.active)
        selection = field.selection
        if selection.is_empty:
            field.insert_text_at_cursor(text)
        else:
            field.replace(text, *sorted(selection))

    def submit(self) -> None:
        try:
            users = parse_users(self.field(0).value)
            rate = parse_spawn_rate(self.field(1).value)
        except UserError as exc:
            self.query_one("#dialog-error", Label).update(f"✗ refused: {exc}")
            return
        self.dismiss((users, rate))
