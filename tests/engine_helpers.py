"""Helpers for tests that drive the engine's LoadSession directly in this (gevent-patched) process
(imported as ``engine_helpers``; no tests here)."""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Let greenlets run until ``condition`` holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        gevent.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
