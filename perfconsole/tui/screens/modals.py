"""Small modal screens: note, profile choice, yes/no questions (quit during a run), help."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from perfconsole.config import Profile
from perfconsole.tui.actions import ActionSpec, help_lines
from perfconsole.tui.formatting import fmt_duration


class RunTimeTextModal(ModalScreen[str | None]):
    """Ask for one line of text tied to a run time: Enter returns it (spaces collapsed), Escape cancels,
    empty text is refused in place. Subclasses set the prompt, placeholder, input id and refusal."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]
    PROMPT = "Note at {at} (Enter saves, Esc cancels)"
    """``{at}`` is the run time."""
    PLACEHOLDER = ""
    INPUT_ID = "text-input"
    EMPTY_ERROR = "✗ some text is needed (Esc cancels)"

    def __init__(self, elapsed_s: float) -> None:
        super().__init__()
        self.elapsed_s = elapsed_s

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.PROMPT.format(at=fmt_duration(self.elapsed_s)))
            yield Input(placeholder=self.PLACEHOLDER, id=self.INPUT_ID)
            yield Label("", id="dialog-error", classes="dialog-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = " ".join(event.value.split())
        if not text:
            self.query_one("#dialog-error", Label).update(self.EMPTY_ERROR)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteModal(RunTimeTextModal):
    """Ask for a note; Enter pins it to the run time, Escape cancels."""

    PLACEHOLDER = "why? e.g. deploy of build 42"
    INPUT_ID = "note-input"
    EMPTY_ERROR = "✗ a note needs some text (Esc cancels)"


class ProfileModal(ModalScreen[str | None]):
    """Pick a profile from config.toml to switch to."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, profiles: dict[str, Profile], current: str | None) -> None:
        super().__init__()
        self.profiles, self.current = profiles, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Switch profile (Enter switches, Esc cancels)")
            options = [
                Option(Text(f"{name}{' (now)' if name == self.current else ''}  {p.description}"), id=name)
                for name, p in self.profiles.items()
            ]
            yield OptionList(*options, id="profile-options")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class YesNoModal(ModalScreen[bool]):
    """One question answered with y (True) or n / Escape (False)."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]
    QUESTION = ""

    def __init__(self, question: str = "") -> None:
        super().__init__()
        self.question = question or self.QUESTION

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.question}  [y] yes  [n] no", markup=False, id="question")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ConfirmQuitModal(YesNoModal):
    """Quitting during a run asks first."""

    QUESTION = "A run is in progress. Stop it and quit?"


class HelpScreen(ModalScreen[None]):
    """Every key of the current screen; the list scrolls (arrows, page keys) when the terminal is short."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "close")]

    def __init__(self, actions: tuple[ActionSpec, ...]) -> None:
        super().__init__()
        self.actions = actions

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys (Esc closes, ↑↓ scroll; all are in the palette)", classes="view-title")
            with VerticalScroll(id="help-scroll"):
                yield Label("\n".join(help_lines(self.actions)), id="help-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
