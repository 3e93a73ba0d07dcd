"""The start screen's text: scenario docstrings as plain text, Locust's fixed_count next to the weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfconsole.engine.scenario import describe_scenario
from perfconsole.tui.views.start import plain_docstring, scenario_lines


@pytest.mark.parametrize(
    ("rst", "plain"),
    [
        ("grouped as ``/api/notifications/[id]/`` so", "grouped as /api/notifications/[id]/ so"),
        ("see :class:`locust.User` and :py:meth:`~locust.User.run`", "see locust.User and locust.User.run"),
        (":ref:`the guide <guide-label>` and `Locust <https://locust.io>`_", "the guide and Locust"),
        ("**bold**, *emphasis*, `interpreted`, `a reference`_", "bold, emphasis, interpreted, a reference"),
        ("2 * 3 * 4 and a*b*c and snake_case_name stay", "2 * 3 * 4 and a*b*c and snake_case_name stay"),
    ],
)
def test_docstrings_lose_their_rst_inline_markup(rst: str, plain: str) -> None:
    assert plain_docstring(rst) == plain


def test_fixed_count_is_shown_instead_of_the_weight(tmp_path: Path) -> None:
    path = tmp_path / "mixed.py"
    path.write_text(
        '"""Admin plus readers: ``/admin/`` once.\n\nSee :class:`Reader`."""\n'
        "from locust import HttpUser, task\n\n"
        "class Admin(HttpUser):\n    fixed_count = 1\n    @task\n    def t(self):\n        pass\n\n"
        "class Reader(HttpUser):\n    weight = 3\n    @task\n    def t(self):\n        pass\n"
    )
    info = describe_scenario(path)
    assert [(u.name, u.weight, u.fixed_count) for u in info.user_classes] == [
        ("Admin", 1, 1),
        ("Reader", 3, 0),
    ]
    lines = scenario_lines(info)
    assert lines[0] == "Admin plus readers: /admin/ once.\n\nSee Reader."
    assert lines[1:] == ["• Admin (fixed 1)", "• Reader (weight 3)"]
