"""Fault injection, terminal escapes: endpoint names, error texts, notes and run ids holding escape sequences
(``ESC[2J`` clears the screen, ``ESC]0;...BEL`` sets the window title) and control characters never reach
stdout, stderr or the console's screen; what is left of them is shown (so the places looked at really show
those texts), and the saved files keep the raw text."""

from __future__ import annotations

import asyncio
import html
import json
import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_perfconsole
from test_store_factories import make_endpoint, make_result
from test_tui_data import SCENARIOS, settings
from textual.widgets import DataTable

from perfconsole.cli import main
from perfconsole.demo_target.process import start_demo_target
from perfconsole.errors import ExitCode
from perfconsole.model.run import Annotation, ErrorStats
from perfconsole.model.terminal_text import safe_line, safe_text, without_controls
from perfconsole.store.baselines import save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.tui.app import make_app
from perfconsole.tui.screens.run_browser import CompareScreen, RunBrowserScreen, RunDetailScreen
from perfconsole.tui.screens.store_modals import BaselinePickModal

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;PWNEDTITLE\x07"
NAME = f"/esc{CLEAR}aped{TITLE}/name"
SHOWN_NAME = "/escaped/name"
ERROR = f"boom \x1b[31mred\x1b[0m{TITLE} \x08\x7fgone"
SHOWN_ERROR = "boom red gone"
NOTE = f"note{CLEAR} with \x9b31mcsi\u202eflip"
SHOWN_NOTE = "note with csiflip"


@pytest.mark.parametrize(
    ("raw", "text", "line"),
    [
        ("/a\x1b[2Jb", "/ab", "/ab"),
        ("x\x1b]0;title\x07y", "xy", "xy"),
        ("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y", "xlinky", "xlinky"),
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab", "ab"),
        ("a\x9b31mb\x9d0;t\x9cc", "abc", "abc"),
        ("a\x1b(Bb\x1b7c\x1bc", "abc", "abc"),
        ("tab\there\nnext", "tab\there\nnext", "tab here next"),
        ("cr\roverwrite\x00\x07\x7f", "croverwrite", "croverwrite"),
        ("rtl\u202egnp\u2066x\u2069", "rtlgnpx", "rtlgnpx"),
        ("plain é 日本 [bold]x[/]", "plain é 日本 [bold]x[/]", "plain é 日本 [bold]x[/]"),
        ("cut off\x1b", "cut off", "cut off"),
        ("cut off\x1b]0;title to the end\nnext line", "cut off\nnext line", "cut off next line"),
    ],
)
def test_the_sanitiser_removes_sequences_and_controls(raw: str, text: str, line: str) -> None:
    assert safe_text(raw) == text
    assert safe_line(raw) == line
    assert "\x1b" not in without_controls(raw)


def _store_with_escapes(runs: Path) -> tuple[str, str]:
    """Two runs (the newer with an escape-laden endpoint, error and note) and a baseline of the older."""
    plain = (make_endpoint("/plain"),)
    hostile = (make_endpoint("/plain"), make_endpoint(NAME, p95=80.0))
    older = save_run(runs, make_result(plain, started_at=1_795_452_300.0), name="older")
    result = make_result(
        hostile,
        started_at=1_795_452_900.0,
        errors=(ErrorStats("GET", NAME, ERROR, 3),),
        annotations=(Annotation(1.0, NOTE, "note"),),
    )
    newer = save_run(runs, result, name="newer", note=NOTE)
    save_baseline(runs, older.name, "base", note=NOTE)
    return older.name, newer.name


def _assert_clean(text: str, where: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text, f"an escape reached {where}: {text!r}"
    assert "PWNEDTITLE" not in text, f"an OSC payload reached {where}"
    assert "\x08" not in text and "\x7f" not in text and "\u202e" not in text, where


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_store_commands_print_no_escape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = tmp_path / "runs"
    older, newer = _store_with_escapes(runs)
    raw = (runs / newer / "data.json").read_text()
    assert json.loads(raw)["result"]["final"]["errors"][0]["error"] == ERROR  # saved files keep the raw text
    assert tomllib.loads((runs / newer / "run.toml").read_text())["note"] == NOTE
    where = ["--runs-dir", str(runs)]
    commands = {
        "runs": (["runs", *where], SHOWN_NOTE[:30]),
        "runs --json": (["runs", "--json", *where], NOTE),
        "baseline list": (["baseline", "list", *where], SHOWN_NOTE[:30]),
        "baseline show": (["baseline", "show", "base", *where], "/plain"),
        "compare": (["compare", older, newer, *where], SHOWN_NAME),
        "compare --json": (["compare", older, newer, "--json", *where], f"GET {NAME}"),
        "compare baseline:": (["compare", "baseline:base", newer, *where], SHOWN_NAME),
    }
    for name, (args, expected) in commands.items():
        code = main(args)
        out, err = capsys.readouterr()
        assert code in (ExitCode.OK, ExitCode.REGRESSION), (name, code, err)
        _assert_clean(err, f"{name} stderr")
        if "--json" in args:  # data for scripts: JSON escapes the raw text, which parses back exactly
            assert "\x1b" not in out and expected in _strings(json.loads(out)), name
            continue
        _assert_clean(out, f"{name} stdout")
        assert expected in out, (name, out)


def _screen(app: Any) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def test_console_run_browser_shows_no_escape(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    older, newer = _store_with_escapes(runs)
    broken = runs / f"20990101T000000Z-{CLEAR}x"  # a directory whose very name is hostile
    broken.mkdir()
    (broken / "run.toml").write_text("garbage")
    fifo = runs / "20260101T000000Z-fifo"  # opening it for reading would block the console for good
    fifo.mkdir()
    os.mkfifo(fifo / "run.toml")
    (runs / older / "data.json").unlink()
    os.mkfifo(runs / older / "data.json")  # listed from run.toml, incomplete all the same

    async def drive() -> None:
        app = make_app(settings_in(runs), scenarios=SCENARIOS)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, RunBrowserScreen)
            listing = _screen(app)
            _assert_clean(listing, "the run browser")
            assert "BROKEN" in listing and SHOWN_NOTE[:10] in listing
            browser = app.screen
            broken_errors = [e.label for e in browser.entries if e.broken]
            assert len(broken_errors) == 3, broken_errors
            assert sum("is a FIFO, not a regular file" in error for error in broken_errors) == 2
            assert older not in [e.key.partition(":")[2] for e in browser.entries if not e.broken]
            fifo_row = next(i for i, e in enumerate(browser.entries) if "fifo/run.toml" in e.label)
            await pilot.press(*(["down"] * fifo_row), "enter")
            await pilot.pause()
            assert app.screen is browser and "FIFO" in _screen(app)  # refused in one line, not opened
            await pilot.press(*(["up"] * fifo_row))
            index = next(i for i, e in enumerate(browser.entries) if e.key == f"run:{newer}")
            await pilot.press(*(["down"] * index), "enter")
            await pilot.pause()
            assert isinstance(app.screen, RunDetailScreen)
            detail = _screen(app)
            _assert_clean(detail, "the run view")
            assert SHOWN_NAME in detail
            await pilot.press("f")
            await pilot.pause()
            failures = _screen(app)
            _assert_clean(failures, "the run's failures")
            assert SHOWN_ERROR in failures
            await pilot.press("a")
            await pilot.pause()
            notes = _screen(app)
            _assert_clean(notes, "the run's notes")
            assert SHOWN_NOTE in notes
            await pilot.press("escape")
            await pilot.pause()
            base = next(i for i, e in enumerate(browser.entries) if e.key == "baseline:base")  # older's copy
            table = browser.query_one("#browser-table", DataTable)
            for row in (base, index):
                table.move_cursor(row=row)
                await pilot.press("space")
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
            compared = _screen(app)
            _assert_clean(compared, "the comparison")
            assert SHOWN_NAME in compared
            await pilot.press("escape", "escape", "b")  # the start screen's baseline picker
            await pilot.pause()
            assert isinstance(app.screen, BaselinePickModal)
            picker = _screen(app)
            _assert_clean(picker, "the baseline picker")
            assert SHOWN_NOTE[:10] in picker

    asyncio.run(drive())


def settings_in(runs: Path) -> Any:
    return replace(settings(), runs_dir=runs)


LOCUSTFILE = f"""
from locust import HttpUser, constant, events, task


class Hostile(HttpUser):
    wait_time = constant(0.05)

    @task
    def named(self) -> None:
        self.client.get("/api/v1/health/", name={NAME!r})

    @task
    def failing(self) -> None:
        with self.client.get("/api/v1/health/", name="/fails", catch_response=True) as response:
            response.failure({ERROR!r})
"""


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_headless_run_prints_no_escape(tmp_path: Path) -> None:
    """A real run against the demo target: the names and errors come from the locustfile."""
    (tmp_path / "hostile.py").write_text(LOCUSTFILE)
    args = ["run", "--headless", "-f", "hostile.py", "-u", "2", "-r", "2", "-t", "3s", "--workers", "0"]
    with start_demo_target(latency_ms=1) as target:
        done = run_perfconsole([*args, "--host", target.url, "--runs-dir", "runs", "--note", NOTE], tmp_path)
    assert done.returncode == 1, done.stderr  # the failures fail the run, as in Locust
    _assert_clean(done.stdout, "stdout")
    _assert_clean(done.stderr, "stderr")
    assert SHOWN_NAME in done.stdout and SHOWN_ERROR in done.stdout
    (run_dir,) = (tmp_path / "runs").iterdir()
    saved = json.loads((run_dir / "data.json").read_text())["result"]["final"]
    assert NAME in [e["name"] for e in saved["endpoints"]]  # the file keeps what the locustfile named


def test_console_live_screens_show_no_escape() -> None:
    """A live run (a stand-in session: these are pure widget tests) whose endpoint names, failures,
    exceptions, notes and worker output carry escape sequences: dashboard, failures, notes and log views."""
    from fakes import FakeSession
    from test_tui_data import endpoint, snapshot

    from perfconsole.model.run import ExceptionStats
    from perfconsole.tui.screens.dashboard import DashboardScreen

    snap = snapshot()
    snap = replace(
        snap,
        endpoints=(*snap.endpoints, endpoint("GET", NAME, 500, 5, 30.0)),
        errors=(ErrorStats("GET", NAME, ERROR, 5),),
        exceptions=(ExceptionStats(1, ERROR, f"Traceback: {ERROR}"),),
    )
    session = FakeSession(snap)
    session.annotate(NOTE, kind="note")
    session.output_lines.append(f"[worker 1] {ERROR}")

    async def drive() -> None:
        app = make_app(settings(), scenarios=SCENARIOS, session=session)  # type: ignore[arg-type]
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
            app.screen.say(f"saved {NOTE}")
            await pilot.pause()
            views = {"dashboard": (_screen(app), SHOWN_NAME)}
            for key, view, expected in (("f", "failures", SHOWN_ERROR), ("a", "notes", SHOWN_NOTE)):
                await pilot.press(key)
                await pilot.pause()
                views[view] = (_screen(app), expected)
            await pilot.press("l")
            await pilot.pause()
            views["log"] = (_screen(app), f"[worker 1] {SHOWN_ERROR}")
            for view, (text, expected) in views.items():
                _assert_clean(text, f"the {view} view")
                assert expected in text, view

    asyncio.run(drive())


def test_the_console_line_filter_keeps_control_characters_off_the_screen() -> None:
    """The last guard: a text that reaches a widget uncleaned (here set on the message line directly, past
    perfconsole.tui.shown) loses its control characters in what is drawn; the rest of it is shown."""
    from perfconsole.tui.widgets.message_line import MessageLine

    async def drive() -> None:
        app = make_app(settings(), scenarios=SCENARIOS)
        async with app.run_test(size=(120, 30)) as pilot:
            line = app.screen.query_one(MessageLine)
            line.message = f"raw{CLEAR}text\x07\x9b31m"
            await pilot.pause()
            screen = _screen(app)
            assert "\x1b" not in screen and "\x07" not in screen and "\x9b" not in screen
            assert "raw[2J[Htext31m" in screen

    asyncio.run(drive())
