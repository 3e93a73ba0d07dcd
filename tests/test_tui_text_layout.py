"""The one text-layout rule: plain-string fields (status bar, key hints) and span items (resource panel)
break into lines at the same places (pure, no Textual)."""

from __future__ import annotations

import pytest

from perfconsole.tui.text_layout import HEAD_WIDTH, fields_line, line_text, pack_fields, pack_spans

FIELDS = ["RUNNING", "users 40/40 @5/s", "req/s 123.4", "fail 0.0%", "elapsed 1:02", "workers 2/2 ready"]


@pytest.mark.parametrize("width", [17, 30, 45, 60, 200])
def test_fields_and_spans_break_at_the_same_places(width: int) -> None:
    plain = pack_fields(FIELDS, width)
    spans = pack_spans("", [[(field, "")] for field in FIELDS], width + HEAD_WIDTH)
    assert [line_text(line)[HEAD_WIDTH:] for line in spans] == plain
    assert " ".join(plain).split() == " ".join(FIELDS).split()  # nothing lost, nothing split


def test_packed_lines_keep_to_the_width_and_fields_whole() -> None:
    plain = pack_fields(FIELDS, 30)
    assert len(plain) > 1 and all(len(line) <= 30 for line in plain)
    assert pack_fields(["a-field-longer-than-the-width"], 10) == ["a-field-longer-than-the-width"]
    assert pack_fields([], 10) == []
    spans = pack_spans("generator", [[("x" * 40, "bad")]], 20)
    assert [line_text(line) for line in spans] == ["generator  " + "x" * 9]  # a span line is cut at the edge


def test_fields_line_leaves_out_a_field_that_would_pass_the_width() -> None:
    line = fields_line("box", [("CPU 12%", ""), ("mem 40%", "warn"), ("swap 0%", "")], HEAD_WIDTH + 16)
    assert line_text(line) == "box".ljust(HEAD_WIDTH) + "CPU 12%  mem 40%"
    assert line[0] == ("box".ljust(HEAD_WIDTH), "head") and ("mem 40%", "warn") in line
