"""The console's test doubles implement the whole ConsoleSession protocol, with the engine's signatures, so
that no production code needs to probe a session for what it has."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from fakes import FakeResourceSession, FakeSession
from test_tui_data import settings, snapshot

from perfconsole.engine.plan import RunPlan
from perfconsole.engine.session import LoadSession
from perfconsole.tui.session_api import ConsoleSession


def protocol_members() -> list[str]:
    names = set(ConsoleSession.__annotations__)
    names |= {n for n, v in vars(ConsoleSession).items() if not n.startswith("_") and callable(v)}
    names |= {n for n, v in vars(ConsoleSession).items() if isinstance(v, property)}
    return sorted(names)


def test_the_protocol_lists_what_the_console_reads() -> None:
    assert {"settle", "paused", "status_listeners", "monitor", "warnings", "resource_sample"} <= set(
        protocol_members()
    )


@pytest.mark.parametrize("implementation", [LoadSession, FakeSession, FakeResourceSession])
def test_implementation_has_every_member_with_the_same_parameters(implementation: type) -> None:
    if implementation is LoadSession:
        instance = LoadSession(RunPlan(scenario_path=Path("scenario.py")), settings())
    elif implementation is FakeSession:
        instance = FakeSession(snapshot())
    else:
        instance = FakeResourceSession([])
    instance_names = set(dir(instance))
    for name in protocol_members():
        assert name in instance_names, f"{implementation.__name__} lacks {name}"
        wanted = vars(ConsoleSession).get(name)
        if inspect.isfunction(wanted):
            got = getattr(implementation, name)
            assert list(inspect.signature(got).parameters) == list(inspect.signature(wanted).parameters), name
