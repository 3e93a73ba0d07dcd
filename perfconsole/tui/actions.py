"""The console's actions in one registry: key bindings, the key bar, the help screen and the palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class ActionSpec:
    keys: str
    """Textual key names, comma-separated (the first is the one shown)."""
    action: str
    """Action method name without the ``action_`` prefix."""
    label: str
    """Short label for the key bar."""
    description: str
    """One line for the help screen and the command palette."""

    @property
    def display_key(self) -> str:
        return KEY_DISPLAY.get(self.keys.split(",")[0], self.keys.split(",")[0])


KEY_DISPLAY = {
    "plus": "+",
    "minus": "-",
    "asterisk": "*",
    "slash": "/",
    "question_mark": "?",
    "space": "space",
    "enter": "enter",
    "escape": "esc",
    "ctrl+p": "^p",
}

DASHBOARD_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("plus,equals_sign", "users_up", "users+", "Add one step of users"),
    ActionSpec("minus", "users_down", "users-", "Remove one step of users"),
    ActionSpec("asterisk", "users_double", "x2", "Double the target user count"),
    ActionSpec("slash", "users_halve", "/2", "Halve the target user count"),
    ActionSpec("u", "set_users", "set", "Set an exact user count and spawn rate"),
    ActionSpec("p", "switch_profile", "profile", "Switch to another profile mid-run"),
    ActionSpec("space", "pause_resume", "pause", "Pause (0 users) or resume"),
    ActionSpec("x", "spike", "spike", "Fire the spike drill from config.toml"),
    ActionSpec("n", "note", "note", "Write a note pinned to the run time"),
    ActionSpec("s", "stop", "stop", "Stop the run"),
    ActionSpec("g", "start_again", "start", "Start the run again after a stop"),
    ActionSpec("v", "toggle_view", "view", "Table: current window / whole run"),
    ActionSpec("c", "show('charts')", "charts", "Show the charts"),
    ActionSpec("f", "show('failures')", "fails", "Show failures and exceptions"),
    ActionSpec("w", "show('workers')", "workers", "Show the workers"),
    ActionSpec("a", "show('notes')", "notes", "Show the annotations"),
    ActionSpec("question_mark", "help", "help", "List every key"),
    ActionSpec("q", "app.quit_console", "quit", "Quit (asks first during a run)"),
)

START_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("enter", "start_run", "start", "Start the run with these choices"),
    ActionSpec("question_mark", "help", "help", "List every key"),
    ActionSpec("q", "app.quit_console", "quit", "Quit"),
)

PALETTE = ActionSpec("ctrl+p", "command_palette", "palette", "Open the command palette")


def bindings(actions: tuple[ActionSpec, ...]) -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """Textual bindings of ``actions`` (the key bar shows them, so Textual's footer does not)."""
    return [Binding(spec.keys, spec.action, spec.label, show=False) for spec in actions]


def key_bar_fields(actions: tuple[ActionSpec, ...]) -> list[str]:
    """``key label`` pairs for the key bar, the palette key last."""
    return [f"{spec.display_key} {spec.label}" for spec in (*actions, PALETTE)]


def help_lines(actions: tuple[ActionSpec, ...]) -> list[str]:
    return [f"{spec.display_key:>6}  {spec.description}" for spec in (*actions, PALETTE)]
