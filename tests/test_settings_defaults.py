"""The settings' built-in values live in defaults.toml only: a section made with no arguments is the one
defaults.toml gives (a Python default of its own would differ from the file, as the resource limits' 70 %
CPU once did where the file has no limit)."""

from __future__ import annotations

import pytest

from perfconsole.config import default_settings

SECTIONS = ("spike", "regression", "soak", "search", "resources")


@pytest.mark.parametrize("name", SECTIONS)
def test_a_section_made_without_arguments_is_defaults_toml(name: str) -> None:
    built_in = getattr(default_settings(), name)
    assert type(built_in)() == built_in
