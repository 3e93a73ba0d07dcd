"""perfconsole.engine.locust.event_hooks over a real Locust EventHook: the one place its handler list is
touched."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from locust.event import EventHook

from perfconsole.engine.locust.event_hooks import drop_listeners, listen_first, stop_listening


def test_listen_first_runs_ahead_of_listeners_already_there() -> None:
    hook, calls = EventHook(), []
    hook.add_listener(lambda **kw: calls.append("locust"))
    listen_first(hook, lambda **kw: calls.append("fold"))
    hook.fire()
    assert calls == ["fold", "locust"]


def test_listen_first_refuses_what_is_not_an_event_hook() -> None:
    with pytest.raises(TypeError):
        listen_first(object(), lambda **kw: None)


def test_stop_listening_removes_once_and_tolerates_an_absent_handler() -> None:
    hook, calls = EventHook(), []

    def handler(**kw: Any) -> None:
        calls.append(1)

    hook.add_listener(handler)
    stop_listening(hook, handler)
    stop_listening(hook, handler)  # Locust's remove_listener would raise here
    hook.fire()
    assert calls == []


def test_drop_listeners_takes_out_only_the_unwanted_by_hook_name() -> None:
    def keep(**kw: Any) -> None: ...

    def drop(**kw: Any) -> None: ...

    events = SimpleNamespace(a=EventHook(), b=EventHook(), not_a_hook=42)
    for hook in (events.a, events.b):
        hook.add_listener(keep)
        hook.add_listener(drop)
    removed = drop_listeners(events, lambda name, handler: name == "a" and handler is drop)
    assert removed == 1
    assert events.a._handlers == [keep]
    assert events.b._handlers == [keep, drop]
