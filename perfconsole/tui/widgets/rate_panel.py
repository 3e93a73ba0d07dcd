"""The arrival-rate panel under the status bar: shown only while a rate is on."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.verdicts.arrival import GENERATOR_BOUND, KEEPING_UP, POOL_CEILING, TARGET_BOUND

VERDICT_STYLES = {
    KEEPING_UP: "green",
    TARGET_BOUND: "bold yellow",
    GENERATOR_BOUND: "bold red",
    POOL_CEILING: "bold red",
}


class RatePanel(Widget):
    """Target, achieved, dropped/s, start lag, the pool and the verdict of an arrival-rate run."""

    DEFAULT_CSS = """
    RatePanel { height: auto; padding: 0 1; display: none; border-top: solid $accent; }
    RatePanel.-on { display: block; }
    """

    lines: reactive[tuple[str, ...]] = reactive((), layout=True)

    def watch_lines(self, lines: tuple[str, ...]) -> None:
        self.set_class(bool(lines), "-on")

    def render(self) -> Text:
        text = Text("\n".join(self.lines))
        if self.lines:
            text.stylize("bold", 0, len("RATE"))
            last = self.lines[-1]
            verdict = last.split(":", 1)[0]
            start = len(text.plain) - len(last)
            text.stylize(VERDICT_STYLES.get(verdict, ""), start, start + len(verdict))
        return text
