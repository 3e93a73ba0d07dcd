"""Bridge from asyncio coroutines (Textual) to gevent greenlets (Locust).

After ``import locust`` the asyncio loop runs on gevent's hub, so a greenlet spawned here runs whenever the
loop waits. Blocking Locust calls must run in such a greenlet, never directly in a coroutine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import gevent

T = TypeVar("T")


async def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` in a new greenlet and await its result (exceptions propagate)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def _settle(glet: gevent.Greenlet) -> None:
        if future.done():
            return
        if glet.successful():
            loop.call_soon_threadsafe(_set_result, future, glet.value)
        else:
            loop.call_soon_threadsafe(_set_exception, future, glet.exception)

    glet = gevent.spawn(fn, *args, **kwargs)
    glet.link(_settle)
    try:
        return await future
    except asyncio.CancelledError:
        glet.kill(block=False)
        raise


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException | None) -> None:
    if not future.done():
        future.set_exception(exc or RuntimeError("greenlet failed"))
