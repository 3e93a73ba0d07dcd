"""The engine's run-lifecycle events as Textual messages, carried from its greenlets to the app's loop.

The engine tells its ``run_listeners`` from greenlets, outside the loop's callbacks: the bridge hands each
event over with ``loop.call_soon_threadsafe``, which wakes the loop (a plain ``post_message`` from a greenlet
would wait for the loop's next wake-up).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.message import Message
from textual.message_pump import MessagePump

from perfconsole.model import run_events
from perfconsole.tui.session_api import ConsoleSession


class RunStarted(Message):
    """A run started (first or again): it has no final save yet."""

    def __init__(self, event: run_events.RunStarted) -> None:
        super().__init__()
        self.event = event


class StageChanged(Message):
    """The live run entered another stage."""

    def __init__(self, event: run_events.StageChanged) -> None:
        super().__init__()
        self.event = event


class RunStopped(Message):
    """The run is over: the one place that saves it listens for this."""

    def __init__(self, event: run_events.RunStopped) -> None:
        super().__init__()
        self.event = event


def as_message(event: run_events.RunEvent) -> Message:
    if isinstance(event, run_events.RunStarted):
        return RunStarted(event)
    if isinstance(event, run_events.StageChanged):
        return StageChanged(event)
    return RunStopped(event)


def call_in_loop(fn: Callable[..., object]) -> Callable[..., None]:
    """``fn`` called on the running loop, from a greenlet or another thread (the loop wakes for it)."""
    loop = asyncio.get_running_loop()

    def call(*args: object) -> None:
        loop.call_soon_threadsafe(fn, *args)

    return call


def post_run_events(session: ConsoleSession, target: MessagePump) -> Callable[[], None]:
    """Post ``session``'s lifecycle events to ``target`` as messages (call on the loop); returns the
    detach."""
    post = call_in_loop(target.post_message)

    def listener(event: run_events.RunEvent) -> None:
        post(as_message(event))

    session.run_listeners.append(listener)
    return lambda: session.run_listeners.remove(listener) if listener in session.run_listeners else None
