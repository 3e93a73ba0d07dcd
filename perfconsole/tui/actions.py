"""Every screen's actions in one list each: the key bindings, the key bar, the help screen and the command
palette are all built from these tuples, so a key cannot be in one and missing from another."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from perfconsole.tui.text_layout import pack_fields

ALWAYS, OFTEN, RARELY = 0, 1, 2
"""Key bar ranks: when the bar would take more than its line budget, ``RARELY`` keys leave it first, then
``OFTEN`` ones; help and the palette list every key whatever its rank."""


@dataclass(frozen=True, slots=True)
class ActionSpec:
    keys: str
    """Textual key names, comma-separated (the first is the one shown)."""
    action: str
    """Action method name without the ``action_`` prefix (``app.`` for the app's)."""
    label: str
    """Short label for the key bar."""
    description: str
    """One line for the help screen and the command palette."""
    rank: int = ALWAYS
    """How much the key bar wants it at narrow widths (``ALWAYS``, ``OFTEN``, ``RARELY``)."""
    priority: bool = False
    """Bind with priority (ahead of the focused widget, e.g. Enter over an input)."""

    @property
    def display_key(self) -> str:
        first = self.keys.split(",")[0]
        return KEY_DISPLAY.get(first, first)

    @property
    def method(self) -> str:
        """The action's method name on its screen (or the app), without arguments."""
        return "action_" + self.action.removeprefix("app.").split("(")[0]


KEY_DISPLAY = {
    "plus": "+",
    "minus": "-",
    "asterisk": "*",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "question_mark": "?",
    "space": "space",
    "enter": "enter",
    "escape": "esc",
    "ctrl+p": "^p",
    "comma": ",",
    "full_stop": ".",
    "less_than_sign": "<",
    "greater_than_sign": ">",
}

HELP = ActionSpec("question_mark", "help", "keys", "List every key")
PALETTE = ActionSpec("ctrl+p", "command_palette", "cmds", "Open the command palette")
"""Textual's own key; listed on the bar and in help, not bound again."""
QUIT_ACTION = "app.quit_console"
"""Left out of the palette: Textual's own ``Quit`` command runs it."""

DASHBOARD_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("plus,equals_sign", "users_up", "users", "Add one step of users"),
    ActionSpec("minus", "users_down", "users", "Remove one step of users"),
    ActionSpec("asterisk", "users_double", "x2", "Double the target user count", RARELY),
    ActionSpec("h", "users_halve", "/2", "Halve the target user count", RARELY),
    ActionSpec("u", "set_users", "set", "Set an exact user count and spawn rate", OFTEN, priority=True),
    ActionSpec("right_square_bracket", "rate_up", "rate+", "Raise the arrival rate 10 %", RARELY),
    ActionSpec("left_square_bracket", "rate_down", "rate-", "Lower the arrival rate 10 %", RARELY),
    ActionSpec(
        "R",
        "set_rate",
        "rate",
        "Set an exact arrival rate (a users run switches to it)",
        RARELY,
        priority=True,
    ),
    ActionSpec(
        "C", "search", "search", "Capacity search: start one; again: stop it (partial answer kept)", RARELY
    ),
    ActionSpec("p", "switch_profile", "profile", "Switch to another profile mid-run", RARELY),
    ActionSpec("space", "pause_resume", "pause", "Pause (0 users) or resume"),
    ActionSpec("x", "spike", "spike", "Fire the spike drill from config.toml", RARELY),
    ActionSpec("n", "note", "note", "Write a note pinned to the run time", RARELY),
    ActionSpec("s", "stop", "stop", "Stop the run"),
    ActionSpec("g", "start_again", "start", "Start the run again after a stop", RARELY),
    ActionSpec("v", "toggle_view", "view", "Table: current window / whole run", OFTEN),
    ActionSpec("enter", "open_endpoint", "open", "Open the endpoint under the cursor (↑↓ move)", OFTEN),
    ActionSpec(
        "slash",
        "filter",
        "filter",
        "Filter endpoints by name: text or glob (Esc clears)",
        OFTEN,
        priority=True,
    ),
    ActionSpec("o", "sort_next", "sort", "Sort the table by the next column", OFTEN),
    ActionSpec("O", "sort_flip", "order", "Flip the sort order", RARELY),
    ActionSpec("W", "worst_first", "worst", "Worst first: highest p95; again: most failures", OFTEN),
    ActionSpec("escape", "clear_filter", "clear", "Clear the endpoint filter", RARELY),
    ActionSpec(
        "z", "freeze", "freeze", "Freeze the view at this moment (the run goes on); again: live", RARELY
    ),
    ActionSpec("c", "show('charts')", "charts", "Show the charts", OFTEN),
    ActionSpec("f", "show('failures')", "fails", "Show failures and exceptions", OFTEN),
    ActionSpec("w", "show('workers')", "workers", "Show the workers", RARELY),
    ActionSpec("a", "show('notes')", "notes", "Show the annotations", RARELY),
    ActionSpec("t", "show('stages')", "stages", "Show figures per stage (stages, plateaus, spike)", RARELY),
    ActionSpec("k", "capacity", "knee", "Show the capacity search: its steps, answer and knee chart", RARELY),
    ActionSpec("l", "show('log')", "log", "Show the workers' output and Locust's warnings", RARELY),
    ActionSpec("m", "resources", "res", "Resources: show the panel; again cycles figures / charts", OFTEN),
    ActionSpec("S", "snapshot", "snap", "Save a snapshot of the run now, with a note", RARELY),
    ActionSpec("B", "promote_baseline", "→base", "Promote the last saved run to a named baseline", RARELY),
    ActionSpec("b", "choose_baseline", "base", "Compare live with a baseline (or none)", RARELY),
    ActionSpec("r", "browse_runs", "runs", "Browse saved runs and baselines", OFTEN),
    HELP,
    ActionSpec("q", QUIT_ACTION, "quit", "Quit (asks first during a run)"),
)

START_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("enter", "start_run", "start", "Start the run with these choices", priority=True),
    ActionSpec("b", "choose_baseline", "baseline", "Pick the baseline to compare with during the run"),
    ActionSpec("r", "browse_runs", "runs", "Browse saved runs and baselines"),
    HELP,
    ActionSpec("q", QUIT_ACTION, "quit", "Quit"),
)

BROWSER_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("enter", "open_entry", "open", "Open the run under the cursor (read-only)"),
    ActionSpec("space", "mark_entry", "mark", "Mark/unmark a run for comparison (two at most)"),
    ActionSpec("c", "compare_marked", "compare", "Compare the two marked runs"),
    ActionSpec("f5,R", "reload", "reload", "Read the runs directory again"),
    HELP,
    ActionSpec("escape,q", "close", "back", "Back"),
)

DETAIL_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("comma", "step(-1)", "-1s", "Time cursor: one second back (from the whole run: its end)"),
    ActionSpec("full_stop", "step(1)", "+1s", "Time cursor: one second on (from the whole run: its start)"),
    ActionSpec("less_than_sign", "step(-10)", "-10s", "Time cursor: ten seconds back", RARELY),
    ActionSpec("greater_than_sign", "step(10)", "+10s", "Time cursor: ten seconds on", RARELY),
    ActionSpec("n", "annotation(True)", "next note", "Time cursor: to the next annotation", OFTEN),
    ActionSpec("N", "annotation(False)", "prev note", "Time cursor: to the previous annotation", RARELY),
    ActionSpec("w", "whole_run", "whole", "Whole-run figures again (time cursor off)", RARELY),
    ActionSpec("c", "show('charts')", "charts", "Show the run's charts"),
    ActionSpec("a", "show('notes')", "notes", "Show the run's annotations"),
    ActionSpec("f", "show('failures')", "fails", "Show the run's failures and exceptions"),
    ActionSpec(
        "k", "show('capacity')", "knee", "Show the run's capacity search: answer, steps, knee chart", RARELY
    ),
    HELP,
    ActionSpec("escape,q", "close", "back", "Back to the run browser"),
)

ENDPOINT_ACTIONS: tuple[ActionSpec, ...] = (
    HELP,
    ActionSpec("escape,q", "close", "back", "Back to the dashboard"),
)

COMPARE_ACTIONS: tuple[ActionSpec, ...] = (
    HELP,
    ActionSpec("escape,q", "close", "back", "Back to the run browser"),
)


def binding_id(spec: ActionSpec) -> str:
    """A binding's id (what a keymap names): ``perfconsole.`` and the action, its arguments joined by ``-``,
    e.g. ``perfconsole.users_up``, ``perfconsole.show-charts``, ``perfconsole.step-minus1``."""
    action = spec.action.removeprefix("app.").replace("-", "minus")
    name = "".join(c if c.isalnum() or c == "_" else "-" for c in action).strip("-")
    return "perfconsole." + "-".join(part for part in name.split("-") if part)


def action_bindings(actions: tuple[ActionSpec, ...]) -> list[Binding]:
    """Textual bindings of ``actions``, each with its ``id``, the key as shown, the key bar's label and the
    help line as ``tooltip``: the key bar, help and the palette read these."""
    return [
        Binding(
            spec.keys,
            spec.action,
            spec.label,
            show=False,
            key_display=spec.display_key,
            priority=spec.priority,
            tooltip=spec.description,
            id=binding_id(spec),
        )
        for spec in actions
    ]


def bindings(actions: tuple[ActionSpec, ...]) -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """A screen's ``BINDINGS`` (the key bar shows them, so Textual's footer does not)."""
    return list(action_bindings(actions))


def key_bar_fields(actions: tuple[ActionSpec, ...], max_rank: int = RARELY) -> list[str]:
    """``key label`` pairs for the key bar up to ``max_rank``, the palette key last (from the bindings)."""
    shown = tuple(spec for spec in (*actions, PALETTE) if spec.rank <= max_rank)
    return [f"{b.key_display} {b.description}" for b in action_bindings(shown)]


KEY_BAR_SEPARATORS = (" │ ", "  ")
"""Between key bar fields: a rule when there is room, two spaces when that saves a line."""


def key_bar_lines(
    actions: tuple[ActionSpec, ...], width: int, max_lines: int = 2
) -> tuple[str, list[list[str]]]:
    """The key bar at ``width``: its separator and its lines as lists of ``key label`` fields. Every key
    if they fit in ``max_lines``, else without the ``RARELY`` keys, else only the ``ALWAYS`` ones."""
    separator, packed = KEY_BAR_SEPARATORS[-1], []
    for max_rank in (RARELY, OFTEN, ALWAYS):
        fields = key_bar_fields(actions, max_rank)
        for separator in KEY_BAR_SEPARATORS:
            packed = pack_fields(fields, width, separator=separator)
            if len(packed) <= max_lines:
                return separator, [line.split(separator) for line in packed]
    return separator, [line.split(separator) for line in packed]


def help_lines(actions: tuple[ActionSpec, ...]) -> list[str]:
    """The help screen's lines from the bindings: the key as shown and its tooltip, the palette key last."""
    return [f"{b.key_display:>6}  {b.tooltip}" for b in action_bindings((*actions, PALETTE))]


def palette_actions(actions: tuple[ActionSpec, ...]) -> list[ActionSpec]:
    """What a screen adds to the command palette: its actions but quit (Textual's ``Quit`` runs it)."""
    return [spec for spec in actions if spec.action != QUIT_ACTION]
