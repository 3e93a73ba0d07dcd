"""The widgets' colours, moved from Rich style strings to component classes in app.tcss, draw as before.

A mark that is a span of a widget's text was drawn from a Rich style string (``"bold red"``: the terminal's
own red, ANSI colour 1); the whole text's style (MessageLine, the status bar's PREPARING line) was read by
Textual (``red``: rgb(255, 0, 0)). Each component class must give the same Textual style as the string it
replaced, in the same place.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.style import Style as TextualStyle
from textual.widget import Widget

import perfconsole.tui
from perfconsole.tui.screens.run_browser import CompareScreen, RunBrowserScreen
from perfconsole.tui.widgets.charts import RunChart
from perfconsole.tui.widgets.key_bar import KeyBar
from perfconsole.tui.widgets.message_line import MessageLine
from perfconsole.tui.widgets.percentile_table import PercentileTable
from perfconsole.tui.widgets.rate_panel import RatePanel
from perfconsole.tui.widgets.resources import ResourceFigures
from perfconsole.tui.widgets.status_bar import StatusBar

TCSS = Path(perfconsole.tui.__file__).parent / "app.tcss"

SPANS: dict[type[Widget], dict[str, str]] = {
    PercentileTable: {
        "percentile-table--regressed": "bold magenta",
        "percentile-table--breached": "bold red",
        "percentile-table--total": "bold",
    },
    StatusBar: {
        "status-bar--running": "bold green",
        "status-bar--changing": "bold yellow",
        "status-bar--failed": "bold red",
        "status-bar--invalid": "bold red",
        "status-bar--state": "bold",
        "status-bar--frozen": "bold reverse",
    },
    RunChart: {
        "run-chart--title": "bold",
        "run-chart--series-1": "green",
        "run-chart--series-2": "yellow",
        "run-chart--series-3": "red",
        "run-chart--axis": "dim",
    },
    ResourceFigures: {
        "resource-figures--head": "bold",
        "resource-figures--ok": "green",
        "resource-figures--bad": "bold red",
        "resource-figures--warn": "yellow",
        "resource-figures--dim": "dim",
    },
    RatePanel: {
        "rate-panel--title": "bold",
        "rate-panel--keeping-up": "green",
        "rate-panel--target-bound": "bold yellow",
        "rate-panel--generator-bound": "bold red",
        "rate-panel--pool-ceiling": "bold red",
    },
    KeyBar: {"key-bar--key": "bold", "key-bar--separator": "dim"},
    RunBrowserScreen: {"run-browser--broken": "red", "run-browser--baseline": "bold"},
    CompareScreen: {"compare--regressed": "bold magenta"},
}
WHOLE: dict[type[Widget], dict[str, str]] = {
    MessageLine: {"message-line--error": "bold red", "message-line--warning": "bold yellow"},
    StatusBar: {"status-bar--preparing": "bold yellow"},
}


def as_span(style: str | Style) -> object:
    text = Text()
    text.append("x", style=style)
    return Content.from_rich_text(text).spans[0].style


def as_whole(style: str | Style) -> object:
    """The whole text's style as Textual draws it (a string is read by Textual's own parser)."""
    found = Content.from_rich_text(Text("x", style=style)).spans[0].style
    return TextualStyle.parse(found) if isinstance(found, str) else found


def bare(screen_type: type[Screen[None]]) -> Screen[None]:
    """The screen with nothing in it (its type's CSS selectors still match)."""

    class Bare(screen_type):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            Screen.__init__(self)

        def compose(self) -> ComposeResult:
            yield from ()

        def on_mount(self, event: events.Mount) -> None:
            event.prevent_default()  # the screen's own on_mount fills widgets this one does not have

    return Bare()


class Colours(App[None]):
    CSS_PATH = str(TCSS)

    def compose(self) -> ComposeResult:
        yield PercentileTable()
        yield StatusBar()
        yield RunChart()
        yield ResourceFigures()
        yield MessageLine()
        yield RatePanel()
        yield KeyBar(())


def test_component_classes_draw_the_colours_of_the_style_strings_they_replaced() -> None:
    async def run() -> None:
        app = Colours()
        async with app.run_test() as pilot:
            await pilot.pause()
            for widget_type, classes in SPANS.items():
                if issubclass(widget_type, (RunBrowserScreen, CompareScreen)):
                    continue  # screens: below
                widget = app.query_one(widget_type)
                for name, old in classes.items():
                    new = widget.get_component_rich_style(name, partial=True)
                    assert as_span(new) == as_span(old), (name, new, old)
            for widget_type, classes in WHOLE.items():
                widget = app.query_one(widget_type)
                for name, old in classes.items():
                    new = widget.get_component_rich_style(name, partial=True)
                    assert as_whole(new) == as_whole(old), (name, new, old)
            for screen_type in (RunBrowserScreen, CompareScreen):
                screen = bare(screen_type)
                await app.push_screen(screen)
                await pilot.pause()
                for name, old in SPANS[screen_type].items():
                    new = screen.get_component_rich_style(name, partial=True)
                    assert as_span(new) == as_span(old), (name, new, old)
                app.pop_screen()

    asyncio.run(run())
