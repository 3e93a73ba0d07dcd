"""The arrival-rate panel under the status bar: shown only while a rate is on."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from perfconsole.verdicts.arrival import GENERATOR_BOUND, KEEPING_UP, POOL_CEILING, TARGET_BOUND

VERDICT_ROLES = {
    KEEPING_UP: "keeping-up",
    TARGET_BOUND: "target-bound",
    GENERATOR_BOUND: "generator-bound",
    POOL_CEILING: "pool-ceiling",
}
"""The verdict's component class (``rate-panel--ROLE`` in app.tcss)."""


class RatePanel(Widget):
    """Target, achieved, dropped/s, start lag, the pool and the verdict of an arrival-rate run."""

    DEFAULT_CSS = """
    RatePanel { height: auto; padding: 0 1; display: none; border-top: solid $accent; }
    RatePanel.-on { display: block; }
    """

    COMPONENT_CLASSES = {"rate-panel--title", *(f"rate-panel--{role}" for role in VERDICT_ROLES.values())}

    lines: reactive[tuple[str, ...]] = reactive((), layout=True)

    def watch_lines(self, lines: tuple[str, ...]) -> None:
        self.set_class(bool(lines), "-on")

    def render(self) -> Text:
        text = Text("\n".join(self.lines))
        if self.lines:
            text.stylize(self.get_component_rich_style("rate-panel--title", partial=True), 0, len("RATE"))
            last = self.lines[-1]
            verdict = last.split(":", 1)[0]
            start = len(text.plain) - len(last)
            role = VERDICT_ROLES.get(verdict)
            if role is not None:
                style = self.get_component_rich_style(f"rate-panel--{role}", partial=True)
                text.stylize(style, start, start + len(verdict))
        return text
