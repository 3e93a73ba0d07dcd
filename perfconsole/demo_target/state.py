"""The demo target's mutable state (live options, data, counters) shared by the app factory and its routes."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from flask import Flask

from perfconsole.demo_target.metrics import Metrics
from perfconsole.demo_target.options import DemoOptions
from perfconsole.demo_target.pool import SimulatedPool
from perfconsole.demo_target.store import DemoStore

POOL_TIMEOUT_S = 5.0
"""A request waiting longer than this for a DB slot is answered 503."""


@dataclass(slots=True)
class DemoState:
    """Everything the app mutates: the live options, the data, the counters."""

    initial: DemoOptions
    options: DemoOptions
    rng: random.Random
    store: DemoStore
    metrics: Metrics
    pool: SimulatedPool
    started: float = field(default_factory=time.time)
    drift_origin: float = field(default_factory=time.monotonic)
    """When ``drift_ms_per_min`` was last set: the drift grows from here."""
    leaked: list[bytearray] = field(default_factory=list)
    """What ``leak_kb_per_request`` kept (at most ``LEAK_CAP_MB``)."""
    leaked_bytes: int = 0


def demo_state(app: Flask) -> DemoState:
    state: DemoState = app.extensions["demo_state"]
    return state
