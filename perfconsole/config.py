"""Typed settings read from config.toml (see config.toml at the project root for every key).

INTERFACE CONTRACT (implemented by the config work; other modules code against these names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a staged profile: hold ``users`` (reached at ``spawn_rate``/s) until ``until_s``."""

    until_s: float
    users: int
    spawn_rate: float


@dataclass(frozen=True, slots=True)
class Limits:
    """Latency/error/throughput limits; None = not checked."""

    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_rate_pct: float | None = None
    min_rps: float | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    default: Limits = field(default_factory=Limits)
    endpoints: dict[str, Limits] = field(default_factory=dict)
    """Keyed by endpoint name pattern (fnmatch on the request name, e.g. ``/api/v1/health*``)."""


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    users: int
    spawn_rate: float
    duration_s: float | None
    stages: tuple[Stage, ...] = ()
    description: str = ""
    thresholds: Thresholds | None = None
    """Overrides of the global thresholds for this profile (merged over them)."""

    @property
    def staged(self) -> bool:
        return bool(self.stages)


@dataclass(frozen=True, slots=True)
class SpikeDrill:
    users: int = 100
    spawn_rate: float = 20.0
    duration_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Settings:
    source: Path | None
    host: str | None
    workers: int | None
    """None = one per CPU core; 0 = in-process LocalRunner."""
    runs_dir: Path
    profiles: dict[str, Profile]
    thresholds: Thresholds
    spike: SpikeDrill = field(default_factory=SpikeDrill)
