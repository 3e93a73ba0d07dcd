"""The declared schema of config.toml: one msgspec Struct per table, types and ranges in the annotations.

msgspec (the library harlequin uses for its config): Structs are typed and fast, ``Meta`` carries the ranges
(``ge``/``gt``/``le``), ``forbid_unknown_fields`` rejects unknown keys, and ``msgspec.convert`` decodes the
tomllib-parsed dict with errors that carry the key path; :mod:`.schema_errors` turns those into one line in
TOML terms. No values here: every key comes from the file merged over ``defaults.toml``; a key that may be
absent is ``None``. Rules across keys (a staged profile, stages in order) are the reader's.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from perfconsole.config.validators import (
    MAX_ARRIVAL_RATE,
    MAX_SPAWN_RATE,
    MAX_USERS,
    MAX_WORKERS,
    duration_seconds,
)

MAX_WINDOW_S = 600
MAX_ENDPOINTS = 100_000


class Duration(float):
    """Seconds, as a Locust timespan (``"90s"``, ``"1h30m"``) or a number: above 0, at most 7 days."""


def decode_hook(kind: type, value: Any) -> Any:
    """msgspec's hook for the types it does not know: :class:`Duration`."""
    if kind is Duration:
        return Duration(duration_seconds(value))
    raise NotImplementedError(kind)


def _what(what: str, unit: str = "") -> dict[str, str]:
    return {"what": what, "unit": unit}


Users = Annotated[int, Meta(ge=1, le=MAX_USERS, extra=_what("a whole number of users"))]
StageUsers = Annotated[int, Meta(ge=0, le=MAX_USERS, extra=_what("a whole number of users"))]
SpawnRate = Annotated[float, Meta(gt=0, le=MAX_SPAWN_RATE, extra=_what("a spawn rate", "users/s"))]
Workers = Annotated[int, Meta(ge=0, le=MAX_WORKERS, extra=_what("a whole number of workers"))]
ArrivalRate = Annotated[
    float, Meta(gt=0, le=MAX_ARRIVAL_RATE, extra=_what("an arrival rate", "iterations/s"))
]
StageRate = Annotated[float, Meta(ge=0, le=MAX_ARRIVAL_RATE, extra=_what("an arrival rate", "iterations/s"))]
Positive = Annotated[float, Meta(gt=0)]
Percent = Annotated[float, Meta(gt=0, le=100, extra=_what("a percentage"))]
NonNegative = Annotated[float, Meta(ge=0)]
Count = Annotated[int, Meta(ge=0)]
Limit = Positive | bool
"""A limit, or ``false``: switched off (``true`` is refused by the reader)."""
PercentLimit = Percent | bool
Stages = Annotated[list[dict[str, Any]], Meta(min_length=1, extra=_what("a non-empty list of stages"))]
"""Plain stages or rate stages (:class:`StageTable`, :class:`RateStageTable`), told apart by ``rate``."""


class Table(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A TOML table: unknown keys are errors."""


class LimitsTable(Table):
    p50_ms: Limit | None = None
    p95_ms: Limit | None = None
    p99_ms: Limit | None = None
    error_rate_pct: PercentLimit | None = None
    min_rps: Limit | None = None
    dropped_pct: PercentLimit | None = None
    start_lag_p95_ms: Limit | None = None


class ThresholdsTable(LimitsTable):
    fail_on_errors: bool | None = None
    endpoints: dict[str, LimitsTable] = {}


class StageTable(Table):
    until: Duration
    users: StageUsers
    spawn_rate: SpawnRate


class RateStageTable(Table):
    until: Duration
    rate: StageRate
    ramp: Literal["step", "linear"] = "step"


class ProfileTable(Table):
    description: str = ""
    users: Users | None = None
    spawn_rate: SpawnRate | None = None
    duration: Duration | None = None
    stages: Stages | None = None
    thresholds: ThresholdsTable | None = None
    arrival_rate: ArrivalRate | None = None
    max_users: Users | None = None
    arrivals: Literal["constant", "poisson"] | None = None
    weights: dict[str, Any] | None = None
    fixed_count: dict[str, Any] | None = None


class RunTable(Table):
    host: str
    runs_dir: str
    default_profile: str
    default_scenario: str
    max_endpoints: Annotated[int, Meta(ge=1, le=MAX_ENDPOINTS)]
    workers: Workers | None = None
    """None (absent): one per CPU core."""


class DisplayTable(Table):
    window_s: Annotated[int, Meta(ge=1, le=MAX_WINDOW_S, extra=_what("whole seconds"))]


class SpikeTable(Table):
    users: Users
    spawn_rate: SpawnRate
    duration: Duration


class RelativePctTable(Table):
    """Per metric of :data:`~perfconsole.config.settings.REGRESSION_METRICS`, in percent."""

    p50: Positive
    p95: Positive
    p99: Positive
    avg: Positive
    error_rate: Positive
    rps: Positive


class RegressionTable(Table):
    relative_pct: RelativePctTable
    min_abs_ms: NonNegative
    min_abs_error_rate_pct: NonNegative
    min_samples: Count


class SoakTable(Table):
    min_duration: Duration
    p95_pct_per_hour: NonNegative
    error_rate_pts_per_hour: NonNegative
    target_rss_mb_per_min: NonNegative
    generator_rss_mb_per_min: NonNegative
    min_r_squared: Annotated[float, Meta(ge=0, le=1, extra=_what("an r squared between 0 and 1"))]


class SearchTable(Table):
    mode: Literal["rate", "users"]
    start: Positive
    max: Positive
    step_pct: Annotated[float, Meta(gt=0, le=1000, extra=_what("a percentage"))]
    step_scale: Literal["fixed", "margin"]
    resolution_pct: Percent
    settle: Duration
    step_time: Duration
    min_requests: Count
    confirm: NonNegative | str
    """Seconds, or a Locust timespan (``"20s"``); 0: no confirmation hold."""
    knee_gain: Annotated[float, Meta(gt=0, lt=1, extra=_what("a fraction between 0 and 1"))]
    max_steps: Annotated[int, Meta(ge=2, le=200, extra=_what("a whole number of steps"))]


class ResourceLimitsTable(Table):
    target_cpu_pct: PercentLimit
    memory_pct: PercentLimit
    db_pool_pct: PercentLimit
    queue_depth: Limit


class ResourcesTable(Table):
    metrics_url: str
    scrape_interval_s: Duration
    health_path: str
    preflight_timeout_s: Duration
    thresholds: ResourceLimitsTable


class ConfigFile(Table):
    """The whole file (merged over ``defaults.toml``, so every table is there)."""

    display: DisplayTable
    run: RunTable
    profiles: Annotated[dict[str, ProfileTable], Meta(min_length=1, extra=_what("a table of profiles"))]
    thresholds: ThresholdsTable
    spike: SpikeTable
    regression: RegressionTable
    soak: SoakTable
    search: SearchTable
    resources: ResourcesTable


DEFAULT_CONFIG_TOML = (resources.files("perfconsole.config") / "defaults.toml").read_text(encoding="utf-8")
"""The built-in settings, the same values as the shipped config.toml (a test keeps them in step)."""
BUILT_IN = msgspec.convert(tomllib.loads(DEFAULT_CONFIG_TOML), ConfigFile, dec_hook=decode_hook)
"""``defaults.toml`` decoded: the one place the settings' dataclasses take their defaults from."""
