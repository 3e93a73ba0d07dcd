"""The console's run-store views (pure) and its recorder against a real runs directory (hand-built runs)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_store_factories import STARTED_AT, make_endpoint, make_result, make_total
from test_tui_data import settings

from perfconsole.config import Regression
from perfconsole.errors import StoreError
from perfconsole.model.run import RunSnapshot, RunState
from perfconsole.store.baselines import load_baseline
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import load_run_dir
from perfconsole.tui.recorder import RunRecorder
from perfconsole.tui.store_view import (
    NEW_ENDPOINT,
    BrowserEntry,
    browser_cells,
    compare_order,
    comparison_lines,
    comparison_marks,
    comparison_verdict,
    entry_summary,
    live_comparison,
    live_endpoints,
    live_rules,
    regressed_endpoints,
    scenario_name,
    toggle_selection,
)
from perfconsole.tui.views.table import TABLE_COLUMNS, table_columns, table_rows
from perfconsole.verdicts.regression import compare

RULES = Regression(min_samples=50)


def live(endpoints: tuple[object, ...], state: RunState = RunState.RUNNING) -> RunSnapshot:
    eps = tuple(endpoints)
    final = make_result(eps).final  # type: ignore[arg-type]
    return replace(final, state=state)


BASE = (make_endpoint("/a", p95=20.0), make_endpoint("/b", p95=40.0))


def test_marks_flag_the_slowed_endpoint_and_its_cells() -> None:
    current = (make_endpoint("/a", p95=40.0, p50=30.0), make_endpoint("/b", p95=41.0))
    marks = comparison_marks(compare(BASE, (*current, make_total(current)), RULES))
    slowed = marks["GET /a"]
    assert slowed.regressed and slowed.delta == "↑+100.0%"
    assert slowed.regressed_columns == {"p50", "p95"}
    fine = marks["GET /b"]
    assert not fine.regressed and fine.delta == "+2.5%" and fine.regressed_columns == frozenset()
    assert regressed_endpoints(marks) == ["GET /a"]  # the total's p95 is the worst endpoint's: /b


def test_few_samples_are_not_judged_and_say_so() -> None:
    current = (make_endpoint("/a", p95=80.0, requests=10),)
    marks = comparison_marks(compare(BASE, current, RULES))
    assert marks["GET /a"].delta == "+300.0%?" and not marks["GET /a"].regressed


def test_live_comparison_uses_the_current_window_when_asked() -> None:
    slow_now = replace(
        make_endpoint("/a", p95=20.0), current=replace(make_endpoint("/a").current, p95=90.0), current_rps=7.0
    )
    snapshot = live((slow_now, make_endpoint("/b", p95=40.0)))
    window = live_endpoints(snapshot, use_current=True)
    assert window[0].cumulative.p95 == 90.0 and window[0].total_rps == 7.0
    assert live_endpoints(snapshot, use_current=False)[0].cumulative.p95 == 20.0
    assert live_rules(RULES, True).relative["avg"] == float("inf") and live_rules(RULES, False) == RULES
    assert comparison_marks(live_comparison(BASE, snapshot, True, RULES))["GET /a"].regressed
    assert not comparison_marks(live_comparison(BASE, snapshot, False, RULES))["GET /a"].regressed


def test_table_rows_carry_the_delta_column_and_marks_only_with_a_baseline() -> None:
    current = (make_endpoint("/a", p95=40.0), make_endpoint("/b", p95=40.0), make_endpoint("/new"))
    snapshot = live(current)
    plain = table_rows(snapshot, use_current=False)
    assert all(len(row.cells) == len(TABLE_COLUMNS) for row in plain)
    assert not any(cell.regressed for row in plain for cell in row.cells)

    marks = comparison_marks(compare(BASE, snapshot, RULES))
    rows = {row.key: row for row in table_rows(snapshot, False, marks=marks)}
    columns = [c for c, _ in table_columns(True)]
    assert columns[columns.index("p95") + 1] == "delta" and len(columns) == len(TABLE_COLUMNS) + 1
    slowed = dict(zip(columns, rows["GET /a"].cells, strict=True))
    assert slowed["name"].text == "✗ GET /a" and slowed["name"].regressed
    assert slowed["p95"].text == "↑40" and slowed["p95"].regressed
    assert slowed["delta"].text == "↑+100.0%" and slowed["delta"].regressed
    assert not slowed["p99"].regressed  # p99 30 -> 30
    steady = dict(zip(columns, rows["GET /b"].cells, strict=True))
    assert steady["name"].text == "GET /b" and steady["delta"].text == "+0.0%"
    assert dict(zip(columns, rows["GET /new"].cells, strict=True))["delta"].text == NEW_ENDPOINT.delta


def entry(key: str, kind: str = "final", started: float = STARTED_AT, **kw: object) -> BrowserEntry:
    return BrowserEntry(key=key, kind=kind, label=key.split(":")[-1], started_at=started, **kw)  # type: ignore[arg-type]


def test_browser_cells_selection_and_compare_order() -> None:
    run = entry(
        "run:r1", scenario="notifications", profile="light", requests=1234, p95_ms=42.0, error_pct=0.5,
        note="deploy 42", interrupted=True, thresholds_passed=False,
    )  # fmt: skip
    assert browser_cells(run, selected=True) == (
        "●", "final", "INT FAIL", "11-23 16:45", "1,234", "42", "0.5%", "notifications", "light",
        "deploy 42", "r1",
    )  # fmt: skip
    assert entry_summary(run) == "final run r1 [INT FAIL]  started 2026-11-23 16:45 UTC  note: deploy 42"
    broken = BrowserEntry("broken:0", "broken", "runs/x/run.toml: corrupt or truncated TOML")
    assert browser_cells(broken)[2] == "BROKEN" and browser_cells(broken)[9] == broken.label
    assert entry_summary(broken) == f"BROKEN {broken.label}"
    assert toggle_selection((), "a") == ("a",)
    assert toggle_selection(("a", "b"), "c") == ("b", "c")
    assert toggle_selection(("a", "b"), "a") == ("b",)
    older, newer = entry("run:old", started=1.0), entry("run:new", started=2.0)
    base = entry("baseline:light", "baseline", started=3.0)
    assert compare_order(newer, older) == (older, newer)
    assert compare_order(older, base) == (base, older)
    assert scenario_name("scenarios/notifications.py") == "notifications"


def test_comparison_lines_mark_regressions() -> None:
    current = (make_endpoint("/a", p95=40.0), make_endpoint("/b", p95=40.0))
    comparison = compare(BASE, current, RULES)
    lines = comparison_lines(comparison)
    regressed = [line for line in lines if line.regressed]
    assert [line.cells[1] for line in regressed] == ["p95 ms"]
    assert lines[0].cells[0] == "✗ GET /a" and regressed[0].cells[-1] == "↑REGRESSION"
    assert comparison_verdict(comparison) == "1 regression(s): GET /a p95 +100.0%"
    assert comparison_verdict(compare(BASE, BASE, RULES)) == "no regressions"


# ---------------------------------------------------------------- recorder (real files, no Locust)


class ListSaver:
    """Saves hand-built results with the real store (what engine_saver does with a live session)."""

    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = runs_dir
        self.calls: list[tuple[bool, str | None, str]] = []

    def __call__(
        self, session: object, interrupted: bool, note: str | None, kind: str, name: str | None
    ) -> Path:
        self.calls.append((interrupted, note, kind))
        started = STARTED_AT + len(self.calls)
        result = make_result(started_at=started, interrupted=interrupted)
        return save_run(self.runs_dir, result, name=name, note=note, kind=kind)


def recorder(tmp_path: Path) -> tuple[RunRecorder, ListSaver]:
    runs = tmp_path / "runs"
    saver = ListSaver(runs)
    return RunRecorder(replace(settings(), runs_dir=runs), saver), saver


def test_recorder_saves_once_when_a_run_stops_and_on_exit_only_if_unsaved(tmp_path: Path) -> None:
    rec, saver = recorder(tmp_path)
    assert rec.save_on_exit(object(), interrupted=True) is None  # nothing ran
    assert not rec.observe(RunState.READY)
    assert not rec.observe(RunState.RUNNING)
    assert rec.observe(RunState.STOPPED)
    path = rec.save(object())
    assert not rec.observe(RunState.STOPPED) and rec.last_saved == path
    assert rec.save_on_exit(object(), interrupted=True) is None
    rec.run_started()
    rec.save(object(), note="mid", kind="manual")  # a manual snapshot leaves the final save pending
    exit_path = rec.save_on_exit(object(), interrupted=True)
    assert exit_path is not None and load_run_dir(exit_path).result.interrupted
    assert saver.calls == [(False, None, "final"), (False, "mid", "manual"), (True, None, "final")]


def test_recorder_makes_no_second_save_after_the_save_on_exit(tmp_path: Path) -> None:
    """Quitting during a run saves it once: the state the dashboard still sees while the users stop
    (running, then stopped) must not start the save-after-stop as well."""
    rec, saver = recorder(tmp_path)
    rec.run_started()
    assert rec.save_on_exit(object(), interrupted=True) is not None
    assert not rec.observe(RunState.RUNNING)
    assert not rec.observe(RunState.STOPPED)
    assert rec.save_on_exit(object(), interrupted=True) is None
    assert saver.calls == [(True, None, "final")]


def test_recorder_promotes_refuses_bad_names_and_replaces_only_when_asked(tmp_path: Path) -> None:
    rec, saver = recorder(tmp_path)
    with pytest.raises(StoreError, match="no run to promote"):
        rec.promote(None, "light", None)
    info = rec.promote(object(), "light", "first")  # nothing saved yet: saves now, then promotes
    assert saver.calls == [(False, "first", "manual")] and info.source_run == rec.last_saved.name  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="invalid baseline name"):
        rec.existing_baseline("../x")
    assert rec.existing_baseline("light") == f"from run {info.source_run}"
    second = rec.save(object())
    with pytest.raises(StoreError, match="already exists"):
        rec.promote(None, "light", "again")
    assert rec.promote(None, "light", "again", force=True).source_run == second.name
    assert load_baseline(rec.runs_dir, "light").run_id == second.name
    assert rec.choose_baseline("light") is rec.baseline and rec.baseline.baseline_name == "light"  # type: ignore[union-attr]
    assert rec.choose_baseline(None) is None


def test_catalog_lists_baselines_runs_and_broken_directories(tmp_path: Path) -> None:
    rec, _saver = recorder(tmp_path)
    first = rec.save(object())
    second = rec.save(object(), note="after fix", kind="manual")
    rec.promote(None, "light", "blessed")
    broken = rec.runs_dir / "20200101T000000Z-foreign"
    broken.mkdir()
    (broken / "run.toml").write_text("this is = not [ toml")
    entries = rec.catalog()
    assert [e.kind for e in entries] == ["baseline", "manual", "final", "broken"]
    assert [e.label for e in entries[:3]] == ["light", second.name, first.name]
    assert entries[0].note == "blessed" and entries[0].source_run == second.name
    assert entries[1].note == "after fix" and entries[1].scenario == "notifications"
    assert (
        entries[3].label.startswith("20200101T000000Z-foreign/run.toml: corrupt")
        and "\n" not in entries[3].label
    )
    assert rec.load(entries[0]).baseline_name == "light" and rec.load(entries[2]).run_id == first.name
    with pytest.raises(StoreError):
        rec.load(entries[3])
