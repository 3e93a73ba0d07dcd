"""Latency and error decisions for one request (pure: the random generator is passed in)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TypeVar

from perfconsole.demo_target.options import DemoOptions

JITTER_SIGMA = 0.8
"""Shape of the lognormal jitter: p50 = jitter_ms, p99 about 6.4 x jitter_ms."""
JITTER_CAP = 40.0
"""Upper bound of one jitter sample, in multiples of jitter_ms (keeps the tail finite)."""

T = TypeVar("T")


def longest_prefix_value(mapping: Mapping[str, T], path: str) -> T | None:
    """The value of the longest key that ``path`` starts with, or None."""
    best_key: str | None = None
    for prefix in mapping:
        if path.startswith(prefix) and (best_key is None or len(prefix) > len(best_key)):
            best_key = prefix
    return None if best_key is None else mapping[best_key]


def sample_latency_ms(options: DemoOptions, path: str, rng: random.Random) -> float:
    """Base latency + per-path extra + a lognormal jitter sample, in milliseconds."""
    extra_ms = longest_prefix_value(options.path_latency_ms, path) or 0.0
    jitter_ms = 0.0
    if options.jitter_ms > 0:
        jitter_ms = options.jitter_ms * min(rng.lognormvariate(0.0, JITTER_SIGMA), JITTER_CAP)
    return options.latency_ms + extra_ms + jitter_ms


def error_rate_for(options: DemoOptions, path: str) -> float:
    """The injected error rate that applies to ``path`` (a matching prefix overrides the global rate)."""
    rate = longest_prefix_value(options.path_error_rates, path)
    return options.error_rate if rate is None else rate


def should_inject_error(options: DemoOptions, path: str, rng: random.Random) -> bool:
    rate = error_rate_for(options, path)
    return rate > 0 and rng.random() < rate
