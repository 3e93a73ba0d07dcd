"""Behaviour settings of the demo target, and the validation of ``/_control`` updates (pure logic)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class OptionError(ValueError):
    """A setting has an invalid value (the message names the setting and says why)."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How the demo target behaves. Treat instances as immutable: ``/_control`` swaps in a new one."""

    latency_ms: float = 5.0
    """Base latency added to every API request."""
    jitter_ms: float = 3.0
    """Median of the random extra latency (lognormal: most requests close to it, a long tail above)."""
    error_rate: float = 0.0
    """Fraction (0..1) of requests answered with an injected 503."""
    path_latency_ms: Mapping[str, float] = field(default_factory=dict)
    """Extra latency by path prefix (the longest matching prefix applies), e.g. ``{"/api/products": 50}``."""
    path_error_rates: Mapping[str, float] = field(default_factory=dict)
    """Error rate by path prefix, replacing ``error_rate`` for matching paths (longest prefix wins)."""
    db_pool_size: int = 20
    """Slots of the simulated DB pool; API requests hold one while they "work", others queue."""
    batch_item_ms: float = 0.3
    """Extra work per item of ``POST /api/notifications/batch/``."""
    seed: int | None = None
    """Seed of the latency/error random generator (None: not reproducible)."""
    leak_kb_per_request: float = 0.0
    """Soak demos: memory kept for good by every API request (a leak), up to ``LEAK_CAP_MB`` in all."""
    drift_ms_per_min: float = 0.0
    """Soak demos: extra latency of every API request that grows by this much per minute since it was set."""

    def __post_init__(self) -> None:
        check_non_negative("latency_ms", self.latency_ms)
        check_non_negative("jitter_ms", self.jitter_ms)
        check_non_negative("batch_item_ms", self.batch_item_ms)
        check_non_negative("leak_kb_per_request", self.leak_kb_per_request)
        check_non_negative("drift_ms_per_min", self.drift_ms_per_min)
        check_fraction("error_rate", self.error_rate)
        for prefix, extra_ms in self.path_latency_ms.items():
            check_prefix("path_latency_ms", prefix)
            check_non_negative(f"path_latency_ms[{prefix!r}]", extra_ms)
        for prefix, rate in self.path_error_rates.items():
            check_prefix("path_error_rates", prefix)
            check_fraction(f"path_error_rates[{prefix!r}]", rate)
        if isinstance(self.db_pool_size, bool) or not isinstance(self.db_pool_size, int):
            raise OptionError(f"db_pool_size must be an integer, got {self.db_pool_size!r}")
        if self.db_pool_size < 1:
            raise OptionError(f"db_pool_size must be at least 1, got {self.db_pool_size}")

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (what ``GET /_control`` answers)."""
        return {
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "error_rate": self.error_rate,
            "path_latency_ms": dict(self.path_latency_ms),
            "path_error_rates": dict(self.path_error_rates),
            "db_pool_size": self.db_pool_size,
            "batch_item_ms": self.batch_item_ms,
            "seed": self.seed,
            "leak_kb_per_request": self.leak_kb_per_request,
            "drift_ms_per_min": self.drift_ms_per_min,
        }


CONTROL_KEYS = frozenset(
    {
        "latency_ms",
        "jitter_ms",
        "error_rate",
        "path_latency_ms",
        "path_error_rates",
        "leak_kb_per_request",
        "drift_ms_per_min",
        "reset",
    }
)
"""Keys accepted by ``POST /_control``. ``db_pool_size`` and ``seed`` are fixed at start."""


def apply_control(current: DemoOptions, initial: DemoOptions, payload: object) -> DemoOptions:
    """Return the options after a ``POST /_control`` body; raise OptionError for a bad body.

    Keys that are absent keep their value; mappings replace the whole mapping; ``"reset": true`` first
    goes back to the options the target started with.
    """
    if not isinstance(payload, Mapping):
        raise OptionError("body must be a JSON object")
    unknown = sorted(set(payload) - CONTROL_KEYS)
    if unknown:
        raise OptionError(
            f"unknown setting(s) {', '.join(unknown)}; expected {', '.join(sorted(CONTROL_KEYS))}"
        )
    reset = payload.get("reset", False)
    if not isinstance(reset, bool):
        raise OptionError("reset must be true or false")
    base = initial if reset else current
    changes: dict[str, Any] = {}
    for key in ("latency_ms", "jitter_ms", "error_rate", "leak_kb_per_request", "drift_ms_per_min"):
        if key in payload:
            changes[key] = as_number(key, payload[key])
    for key in ("path_latency_ms", "path_error_rates"):
        if key in payload:
            changes[key] = as_number_mapping(key, payload[key])
    try:
        return dataclasses.replace(base, **changes)
    except TypeError as exc:  # pragma: no cover - keys are checked above
        raise OptionError(str(exc)) from exc


def as_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OptionError(f"{name} must be a number, got {value!r}")
    return float(value)


def as_number_mapping(name: str, value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise OptionError(f"{name} must be an object mapping path prefixes to numbers")
    return {str(prefix): as_number(f"{name}[{prefix!r}]", number) for prefix, number in value.items()}


def check_non_negative(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise OptionError(f"{name} must be a finite number >= 0, got {value!r}")


def check_fraction(name: str, value: float) -> None:
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise OptionError(f"{name} must be a fraction between 0 and 1, got {value!r}")


def check_prefix(name: str, prefix: str) -> None:
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise OptionError(f"{name}: path prefix must start with '/', got {prefix!r}")
