"""The capacity search's console lines and knee chart (pure): the live step line fits 80 columns, the text
chart fits its box with a mark per step, the SVG/HTML page is self-contained and reads back the same chart;
fake steps (the real searches are in test_capacity_pilot.py and the engine's tests)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rich.cells import cell_len

from perfconsole.application.capacity_page import (
    CAPACITY_HTML,
    SECTION_ID,
    capacity_page,
    knee_svg,
    with_section,
    write_capacity_page,
)
from perfconsole.application.knee_chart import knee_chart, knee_points, round_top
from perfconsole.model.capacity import (
    BindingLimit,
    Breach,
    CapacityResult,
    CapacityStep,
    EndpointFigures,
    Knee,
    SearchMode,
    SearchState,
    StepPhase,
)
from perfconsole.model.percentiles import Percentiles
from perfconsole.tui.views.capacity import answer_line, failure_text, live_line, panel_lines, step_text
from perfconsole.tui.views.knee_text import (
    BOTH_MARK,
    CAPACITY_MARK,
    FAIL_MARK,
    KNEE_MARK,
    PASS_MARK,
    knee_rows,
    level_column,
    plain,
)

LOGIN_P95 = Breach("POST /api/auth/login", "p95", 620.0, 500.0)


def step(
    index: int,
    level: float,
    rps: float,
    p95: float | None,
    breach: Breach | None = None,
    phase: StepPhase = StepPhase.GROW,
    invalid: tuple[str, ...] = (),
) -> CapacityStep:
    requests = round(rps * 10)
    total = EndpointFigures("", "Aggregated", requests, 0, Percentiles(p95=p95))
    return CapacityStep(
        index=index,
        phase=phase,
        level=level,
        start_s=index * 13.0,
        measure_start_s=index * 13.0 + 3,
        end_s=index * 13.0 + 13,
        total=total,
        breaches=(breach,) if breach else (),
        invalid=invalid,
    )


def search(state: SearchState = SearchState.DONE, mode: SearchMode = SearchMode.RATE) -> CapacityResult:
    """A rate search on a target that tops out near 200 req/s: grow 40..320, refine 240, 200, confirm 200."""
    steps = (
        step(1, 40, 40, 42),
        step(2, 80, 80, 44),
        step(3, 160, 158, 60),
        step(4, 320, 205, 1900, LOGIN_P95),
        step(5, 240, 203, 620, LOGIN_P95, StepPhase.REFINE),
        step(6, 200, 197, 180, phase=StepPhase.REFINE),
        step(7, 200, 196, 190, phase=StepPhase.CONFIRM),
    )
    return CapacityResult(
        mode=mode,
        state=state,
        steps=steps,
        capacity=200,
        capacity_rps=196,
        confirmed=state is SearchState.DONE,
        knee=Knee(level=240, rps=205, p95_ms=620, text="240/s: +1 % req/s for +20 % load, p95 3.4x"),
        binding=BindingLimit(step=4, level=320, breach=LOGIN_P95, side="target"),
        slo="p95 < 500 ms, error rate < 1 %",
    )


# ------------------------------------------------------------------------------------------ step lines
def test_step_text_passed_and_failed() -> None:
    result = search()
    assert step_text(result.steps[5], SearchMode.RATE) == "step 6: 200/s -> 197 req/s, p95 180 ms ✓"
    assert step_text(result.steps[4], SearchMode.RATE, achieved=False) == (
        "step 5: 240/s, p95 620 ms ✗ /api/auth/login p95"
    )
    assert step_text(result.steps[0], SearchMode.USERS, achieved=False) == "step 1: 40 users, p95 42 ms ✓"


def test_failure_text_prefers_the_validity_reason() -> None:
    invalid = step(1, 900, 500, 30, invalid=("generator saturated (cpu 97 %)",))
    assert failure_text(invalid) == "generator saturated (cpu 97 %)"
    assert step_text(invalid, SearchMode.RATE).endswith("✗ generator saturated (cpu 97 %)")


@pytest.mark.parametrize("width", [200, 100, 80, 60, 40, 20])
def test_live_line_fits_and_keeps_the_newest_step(width: int) -> None:
    steps = search().steps[:5]
    line = live_line(steps, SearchMode.RATE, width)
    assert cell_len(line) <= width
    assert line.startswith("step 4") or line.startswith("step 5")
    assert "step 5" in line or line.endswith("…")


def test_live_line_at_80_columns_shows_two_steps_as_the_issue_reads() -> None:
    steps = (step(6, 240, 238, 180), step(7, 280, 251, 620, LOGIN_P95))
    line = live_line(steps, SearchMode.RATE, 80)
    assert line == "step 6: 240/s, p95 180 ms ✓ | step 7: 280/s, p95 620 ms ✗ /api/auth/login p95"
    assert cell_len(line) <= 80
    wide = live_line(steps, SearchMode.RATE, 120)
    assert "-> 238 req/s" in wide and "-> 251 req/s" in wide


def test_answer_line_says_partial_and_running() -> None:
    partial = answer_line(search(SearchState.PARTIAL))
    assert partial == "capacity (rate) partial: SLO capacity 200/s (196 req/s), not confirmed"
    running = answer_line(search(SearchState.RUNNING))
    assert running.startswith("capacity (rate) searching: best pass so far 200/s")


def test_panel_lines_fit_their_box() -> None:
    lines = panel_lines(search(), "step 8 (refine) 220/s: settling", 78, 4)
    assert len(lines) == 4
    assert all(len(line) <= 78 for line in lines)
    assert lines[1] == "step 8 (refine) 220/s: settling"
    assert panel_lines(None, None, 78, 3) == ["no capacity search in this run"]


# ------------------------------------------------------------------------------------------ chart layout
def test_round_top() -> None:
    assert [round_top(v) for v in (0.3, 1, 7, 199, 200, 201, 320, 2400, 9999)] == [
        1,
        1,
        8,
        200,
        200,
        250,
        400,
        2500,
        10000,
    ]


def test_knee_points_keep_the_latest_step_of_a_level_in_level_order() -> None:
    points = knee_points(search())
    assert [p.level for p in points] == [40, 80, 160, 200, 240, 320]
    assert points[3].step == 7  # the confirmation hold, not the refine step at the same level
    assert [p.passed for p in points] == [True, True, True, True, False, False]


def test_chart_tops_and_marks() -> None:
    chart = knee_chart(search())
    assert chart is not None
    assert (chart.level_top, chart.rps_top, chart.p95_top) == (400, 250, 2000)
    assert (chart.capacity, chart.knee, chart.unit) == (200, 240, "/s")
    assert knee_chart(None) is None
    assert knee_chart(CapacityResult(SearchMode.RATE, SearchState.RUNNING, ())) is None


@pytest.mark.parametrize(("width", "height"), [(78, 8), (78, 12), (40, 6), (120, 20), (20, 4)])
def test_text_chart_fits_its_box_with_a_verdict_per_level(width: int, height: int) -> None:
    chart = knee_chart(search())
    assert chart is not None
    rows = plain(knee_rows(chart, width, height))
    assert len(rows) == height
    assert all(cell_len(row) <= width for row in rows)
    axis = rows[-2]
    assert axis.count(PASS_MARK) + axis.count(FAIL_MARK) == len({p.level for p in chart.points}) or width < 40
    assert rows[-1].startswith("0") and rows[-1].rstrip().endswith("400/s")


def test_text_chart_puts_the_marks_at_their_levels() -> None:
    chart = knee_chart(search())
    assert chart is not None
    rows = plain(knee_rows(chart, 78, 10))
    axis = rows[-2]
    for point in chart.points:
        assert axis[level_column(chart, point.level, 78)] == (PASS_MARK if point.passed else FAIL_MARK)
    plot = rows[1:-2]
    capacity_col = level_column(chart, 200, 78)
    knee_col = level_column(chart, 240, 78)
    assert any(row[capacity_col] == CAPACITY_MARK for row in plot)
    assert any(row[knee_col] == KNEE_MARK for row in plot)
    assert "capacity 200" in rows[-1] and "knee 240" in rows[-1]
    assert "req/s" in rows[0] and "p95" in rows[0]


def test_text_chart_shows_a_knee_at_the_capacity_as_one_combined_mark() -> None:
    found = knee_chart(search())
    assert found is not None
    chart = replace(found, knee=200.0)  # the knee at the SLO capacity's level
    rows = plain(knee_rows(chart, 78, 10))
    col = level_column(chart, 200, 78)
    plot = rows[1:-2]
    assert any(row[col] == BOTH_MARK for row in plot)
    assert not any(CAPACITY_MARK in row or KNEE_MARK in row for row in plot)
    assert f"{BOTH_MARK} capacity = knee 200" in rows[-1]
    # levels that fall in one column on a narrow chart: one mark, both figures said
    near = replace(found, knee=205.0)
    narrow = plain(knee_rows(near, 40, 6))
    assert level_column(near, 200, 40) == level_column(near, 205, 40)
    assert any(BOTH_MARK in row for row in narrow[1:-2])
    wide = plain(knee_rows(near, 78, 10))
    assert f"{BOTH_MARK} capacity 200, knee 205" in narrow[-1] or "capacity" not in narrow[-1]
    assert "capacity 200" in wide[-1] and "knee 205" in wide[-1]


def test_text_chart_lines_rise_then_flatten() -> None:
    """The req/s line climbs with the load up to the pool's limit and goes flat after it: the highest dot
    of its columns at 160/s is lower than at 240/s, and 240/s and 320/s sit at the same height; the p95
    line (drawn alone: where lines cross, a cell shows the last one) climbs steeply past the knee."""
    full = search()
    no_p95 = replace(
        full, steps=tuple(replace(s, total=replace(s.total, percentiles=Percentiles())) for s in full.steps)
    )
    chart = knee_chart(no_p95)
    assert chart is not None
    segments = knee_rows(chart, 78, 12)[1:-2]

    def top_row(col: int, role: str) -> int:
        for r, row in enumerate(segments):
            text_at = 0
            for text, seg_role in row:
                if text_at <= col < text_at + len(text) and seg_role == role and text[col - text_at] != " ":
                    return r
                text_at += len(text)
        return len(segments)

    rps = {lvl: top_row(level_column(chart, lvl, 78), "rps") for lvl in (40, 160, 240, 320)}
    assert rps[40] > rps[160] > rps[240]
    assert abs(rps[240] - rps[320]) <= 1
    chart = knee_chart(full)
    assert chart is not None
    segments = knee_rows(chart, 78, 12)[1:-2]
    assert top_row(level_column(chart, 320, 78), "p95") < top_row(level_column(chart, 160, 78), "p95")


def test_text_chart_without_steps_or_room_says_why() -> None:
    assert plain(knee_rows(None, 78, 8)) == ["knee chart: after the first step"]
    chart = knee_chart(search())
    assert plain(knee_rows(chart, 10, 8)) == ["knee chart"]


def test_single_step_chart_draws() -> None:
    result = CapacityResult(SearchMode.USERS, SearchState.RUNNING, (step(1, 10, 95, 41),))
    rows = plain(knee_rows(knee_chart(result), 60, 7))
    assert rows[-2].count(PASS_MARK) == 1
    assert any(ch not in " ─" for row in rows[1:-2] for ch in row)
    assert rows[-1].endswith("10 users")


# ------------------------------------------------------------------------------------------ SVG / HTML
def test_svg_is_well_formed_with_a_dot_per_level() -> None:
    chart = knee_chart(search())
    assert chart is not None
    svg = ElementTree.fromstring(knee_svg(chart))
    ns = "{http://www.w3.org/2000/svg}"
    circles = svg.findall(f"{ns}circle")
    assert len(circles) == len(chart.points)
    fills = [c.get("fill") for c in circles]
    assert fills.count("#2e8b47") == 4 and fills.count("#c62828") == 2
    assert len(svg.findall(f"{ns}polyline")) == 2
    labels = "".join(t.text or "" for t in svg.findall(f"{ns}text"))
    assert "SLO capacity 200" in labels and "knee 240" in labels


def test_page_is_self_contained_and_lists_every_step() -> None:
    page = capacity_page(search(SearchState.PARTIAL))
    assert not re.search(r"<script|<link|src=|https?://(?!www\.w3\.org)", page)
    assert page.count("<tr>") == 1 + len(search().steps)
    assert "partial" in page and "binding limit: POST /api/auth/login p95 620 ms &gt; 500 ms" in page


def test_section_added_to_the_report_once(tmp_path: Path) -> None:
    report = "<html><body><div id='root'></div>\n</body></html>"
    (tmp_path / "report.html").write_text(report)
    written = write_capacity_page(tmp_path, search())
    assert [p.name for p in written] == [CAPACITY_HTML, "report.html"]
    patched = (tmp_path / "report.html").read_text()
    assert patched.index(SECTION_ID) > patched.index("root") and patched.rstrip().endswith("</html>")
    assert with_section(patched, "<section id='x'></section>") == patched
    assert f'href="{CAPACITY_HTML}"' in patched
    (tmp_path / "report.html").unlink()
    assert [p.name for p in write_capacity_page(tmp_path, search())] == [CAPACITY_HTML]
