"""Locust's ``EventHook`` handler lists (``EventHook._handlers``, a plain list Locust calls in order).

Locust's API only appends a listener (``add_listener``) and removes one it knows (``remove_listener``).
perfconsole also needs a listener ahead of Locust's own (the endpoint fold renames a worker report before
Locust merges it) and to take out every listener a finished session left (see ``drop_listeners``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _handlers(hook: Any) -> list[Callable[..., Any]] | None:
    handlers = getattr(hook, "_handlers", None)
    return handlers if isinstance(handlers, list) else None


def listen_first(hook: Any, handler: Callable[..., Any]) -> None:
    """Add ``handler`` ahead of every listener already there (Locust's own included)."""
    handlers = _handlers(hook)
    if handlers is None:
        raise TypeError(f"not a Locust EventHook: {hook!r}")
    handlers.insert(0, handler)


def stop_listening(hook: Any, handler: Callable[..., Any]) -> None:
    """Remove ``handler`` if it listens (Locust's ``remove_listener`` raises otherwise)."""
    handlers = _handlers(hook)
    if handlers is not None and handler in handlers:
        hook.remove_listener(handler)


def drop_listeners(events: Any, unwanted: Callable[[str, Callable[..., Any]], bool]) -> int:
    """Take out of every hook of ``events`` (e.g. ``locust.events``) the handlers for which
    ``unwanted(hook name, handler)`` holds; returns how many went."""
    removed = 0
    for name, hook in vars(events).items():
        handlers = _handlers(hook)
        if handlers is None:
            continue
        kept = [h for h in handlers if not unwanted(name, h)]
        removed += len(handlers) - len(kept)
        handlers[:] = kept
    return removed
