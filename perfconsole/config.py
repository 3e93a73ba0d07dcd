"""Typed settings read from config.toml (see config.toml at the project root for every key).

:func:`load_settings` reads the file with :mod:`tomllib`, merges it over the built-in defaults
(:data:`DEFAULT_CONFIG_TOML`, the same values as the shipped file) and validates every value. Any problem
raises :class:`~perfconsole.errors.ConfigError` with one line naming the file, the key path and what was
expected. The ``validate_*`` helpers and :func:`parse_duration` are shared with the CLI.

No Locust, no Textual: importing this module must not start gevent's monkey-patching.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from perfconsole.errors import ConfigError, UserError
from perfconsole.hosts import validate_metrics_url, validate_target_url
from perfconsole.user_mix import UserMix, parse_fixed_count, parse_weights

CONFIG_FILENAME = "config.toml"
MAX_USERS = 100_000
MAX_SPAWN_RATE = 10_000.0
MAX_DURATION_S = 7 * 24 * 3600.0
MAX_WORKERS = 512

LIMIT_FIELDS: tuple[str, ...] = ("p50_ms", "p95_ms", "p99_ms", "error_rate_pct", "min_rps")
"""Names of the checkable fields of :class:`Limits` (also their TOML keys)."""

REGRESSION_METRICS: tuple[str, ...] = ("p50", "p95", "p99", "avg", "error_rate", "rps")
"""Metrics compared with a baseline; ``rps`` regresses when it drops, the others when they rise."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a staged profile: hold ``users`` (reached at ``spawn_rate``/s) until ``until_s``."""

    until_s: float
    users: int
    spawn_rate: float


@dataclass(frozen=True, slots=True)
class Limits:
    """Latency/error/throughput limits; None = not checked.

    Latencies (ms) and the error rate (percent of requests) must stay below their limit; ``min_rps``
    (requests per second over the whole run) is a floor and applies to the aggregated total only.
    """

    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_rate_pct: float | None = None
    min_rps: float | None = None
    off: frozenset[str] = frozenset()
    """Fields switched off explicitly (``false`` in TOML): they stay unchecked when merged over others."""

    def merged_over(self, base: Limits) -> Limits:
        """These limits with ``base`` filling the fields left unset here (and not switched off)."""
        values: dict[str, float | None] = {}
        for name in LIMIT_FIELDS:
            own = getattr(self, name)
            if own is not None or name in self.off:
                values[name] = own
            else:
                values[name] = getattr(base, name)
        own_set = {name for name in LIMIT_FIELDS if getattr(self, name) is not None}
        return Limits(**values, off=frozenset((base.off - own_set) | self.off))

    def checked(self) -> dict[str, float]:
        """The limits that are set, by field name."""
        return {name: value for name in LIMIT_FIELDS if (value := getattr(self, name)) is not None}


@dataclass(frozen=True, slots=True)
class Thresholds:
    default: Limits = field(default_factory=Limits)
    endpoints: dict[str, Limits] = field(default_factory=dict)
    """Keyed by endpoint name pattern (fnmatch on the request name, e.g. ``/api/v1/health*``)."""
    fail_on_errors: bool | None = None
    """A failed request or a task exception fails the run, as in Locust (exit 1 or ``--exit-code-on-error``);
    False: only the limits decide. None: inherited (true at the top)."""

    @property
    def errors_fail(self) -> bool:
        return self.fail_on_errors is not False

    def merged_over(self, base: Thresholds) -> Thresholds:
        """These thresholds over ``base``: defaults merged field by field, patterns merged by pattern."""
        endpoints = dict(base.endpoints)
        for pattern, limits in self.endpoints.items():
            inherited = base.endpoints.get(pattern)
            endpoints[pattern] = limits if inherited is None else limits.merged_over(inherited)
        fail_on_errors = self.fail_on_errors if self.fail_on_errors is not None else base.fail_on_errors
        return Thresholds(self.default.merged_over(base.default), endpoints, fail_on_errors)


@dataclass(frozen=True, slots=True)
class Profile:
    """A named load level. For a staged profile ``users`` is the largest stage's users, ``spawn_rate`` the
    first stage's rate and ``duration_s`` the last stage's ``until_s``."""

    name: str
    users: int
    spawn_rate: float
    duration_s: float | None
    """Planned run time in seconds; None = until stopped."""
    stages: tuple[Stage, ...] = ()
    description: str = ""
    thresholds: Thresholds | None = None
    """Overrides of the global thresholds for this profile (merged over them)."""
    mix: UserMix = field(default_factory=UserMix)
    """User-class weights and fixed counts (``[profiles.NAME.weights]``, ``[profiles.NAME.fixed_count]``)."""

    @property
    def staged(self) -> bool:
        return bool(self.stages)


@dataclass(frozen=True, slots=True)
class SpikeDrill:
    """Users added on top of the running load for ``duration_s``, started from the console."""

    users: int = 100
    spawn_rate: float = 20.0
    duration_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Regression:
    """When a run counts as a regression against a baseline."""

    relative: dict[str, float] = field(default_factory=lambda: dict.fromkeys(REGRESSION_METRICS, 0.10))
    """Largest tolerated relative change per metric of :data:`REGRESSION_METRICS`, as a fraction of the
    baseline (0.10 = 10 %): an increase for latencies and error_rate, a drop for rps. TOML gives percent
    (``[regression.relative_pct]``)."""
    min_abs_ms: float = 5.0
    """A latency change smaller than this (ms) is never a regression."""
    min_abs_error_rate_pct: float = 0.5
    """An error-rate change smaller than this (percentage points) is never a regression."""
    min_samples: int = 50
    """Both sides need at least this many requests on an endpoint for it to be judged."""


@dataclass(frozen=True, slots=True)
class ResourceThresholds:
    """Limits on the target's resources; None = not checked. Percentages are 0-100."""

    target_cpu_pct: float | None = 70.0
    memory_pct: float | None = 80.0
    db_pool_pct: float | None = 80.0
    """Connections in use as a percentage of the pool size."""
    queue_depth: float | None = 1000.0


@dataclass(frozen=True, slots=True)
class Resources:
    """Target health checks and resource monitoring."""

    metrics_url: str | None = None
    """Prometheus text endpoint of the target (any http(s) URL); None = no scraping."""
    scrape_interval_s: float = 5.0
    health_path: str | None = None
    """Path under the host that must answer 2xx in preflight (e.g. ``/api/v1/health/``); None = any answer."""
    preflight_timeout_s: float = 5.0
    thresholds: ResourceThresholds = field(default_factory=ResourceThresholds)


@dataclass(frozen=True, slots=True)
class Settings:
    source: Path | None
    """The file the settings came from; None = built-in defaults."""
    host: str | None
    """Target base URL (any http(s) host); None = start the embedded demo target."""
    workers: int | None
    """None = one per CPU core; 0 = in-process LocalRunner."""
    runs_dir: Path
    """Relative paths are relative to the working directory."""
    profiles: dict[str, Profile]
    thresholds: Thresholds
    spike: SpikeDrill = field(default_factory=SpikeDrill)
    regression: Regression = field(default_factory=Regression)
    resources: Resources = field(default_factory=Resources)
    default_profile: str = "light"
    default_scenario: str = "notifications"
    max_endpoints: int = 500
    """``[run] max_endpoints``: distinct endpoint names kept; later ones fold into ``(other)`` per method."""
    window_s: int = 10
    """Seconds of the "current" window (``[display] window_s``): percentiles of exactly the last N s."""

    def profile(self, name: str) -> Profile:
        """The profile called ``name``; UserError naming the known profiles if there is none."""
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(self.profiles) or "none"
            raise UserError(f"unknown profile {name!r} (known profiles: {known})") from None

    def thresholds_for(self, profile: Profile | None) -> Thresholds:
        """The global thresholds with the profile's overrides merged over them."""
        if profile is None or profile.thresholds is None:
            return self.thresholds
        return profile.thresholds.merged_over(self.thresholds)


# --------------------------------------------------------------------------- validators shared with the CLI

_TIMESPAN = re.compile(
    r"(?:(?P<d>\d+(?:\.\d+)?)d)?(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?"
)
_UNIT_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def _number(value: object) -> float | None:
    """``value`` as a finite float if it is a number or numeric string, else None (bools are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def parse_duration(value: object, where: str) -> float:
    """Seconds from a Locust timespan (``"90s"``, ``"5m"``, ``"1h30m"``, also ``"2d"``) or a number of
    seconds; UserError naming ``where`` for anything else or a negative value."""
    expected = "expected a duration like 90s, 5m or 1h30m, or a number of seconds"
    seconds = _number(value)
    if seconds is None and isinstance(value, str):
        match = _TIMESPAN.fullmatch(value.strip().lower())
        if match and any(match.groupdict().values()):
            seconds = sum(float(n) * _UNIT_SECONDS[unit] for unit, n in match.groupdict().items() if n)
    if seconds is None:
        raise UserError(f"{where}: {expected}, got {value!r}")
    if seconds < 0:
        raise UserError(f"{where}: a duration cannot be negative, got {value!r}")
    return seconds


def validate_duration(value: object, where: str) -> float:
    """A run duration in seconds: more than 0 and at most 7 days."""
    seconds = parse_duration(value, where)
    if seconds <= 0:
        raise UserError(f"{where}: the duration must be more than 0 seconds, got {value!r}")
    if seconds > MAX_DURATION_S:
        raise UserError(f"{where}: the duration must be at most 7 days, got {value!r}")
    return seconds


def validate_users(value: object, where: str) -> int:
    """A user count: a whole number from 1 to 100000 (numeric strings accepted)."""
    number = _number(value)
    expected = f"expected a whole number of users from 1 to {MAX_USERS}"
    if number is None or not number.is_integer():
        raise UserError(f"{where}: {expected}, got {value!r}")
    if not 1 <= number <= MAX_USERS:
        raise UserError(f"{where}: {expected}, got {value!r}")
    return int(number)


def validate_spawn_rate(value: object, where: str) -> float:
    """Users started (or stopped) per second: more than 0 and at most 10000."""
    number = _number(value)
    if number is None or not 0 < number <= MAX_SPAWN_RATE:
        raise UserError(
            f"{where}: expected a spawn rate above 0 and at most {MAX_SPAWN_RATE:g} users/s, got {value!r}"
        )
    return number


def validate_workers(value: object, where: str) -> int:
    """A worker process count: 0 (in-process) up to 512."""
    number = _number(value)
    if number is None or not number.is_integer() or not 0 <= number <= MAX_WORKERS:
        raise UserError(
            f"{where}: expected a whole number of workers from 0 (in-process) to {MAX_WORKERS}, got {value!r}"
        )
    return int(number)


# --------------------------------------------------------------------------- built-in defaults

MAX_WINDOW_S = 600
MAX_ENDPOINTS = 100_000

DEFAULT_CONFIG_TOML = """
[display]
window_s = 10

[run]
host = ""
runs_dir = "runs"
default_profile = "light"
default_scenario = "notifications"
max_endpoints = 500

[profiles.light]
description = "Smoke load: a few users to check that everything answers"
users = 10
spawn_rate = 1
duration = "1m"

[profiles.medium]
description = "Typical daytime traffic"
users = 20
spawn_rate = 2
duration = "5m"

[profiles.heavy]
description = "Peak traffic"
users = 50
spawn_rate = 5
duration = "10m"

[profiles.spike]
description = "Sudden burst of users"
users = 100
spawn_rate = 10
duration = "3m"
thresholds = { p95_ms = 1000, p99_ms = 2000 }

[profiles.endurance]
description = "Long steady load to reveal leaks and slow degradation"
users = 50
spawn_rate = 1
duration = "30m"

[profiles.ramp-spike]
description = "Ramp to 100, hold, spike to 200, settle at 50"
stages = [
    { until = "2m", users = 100, spawn_rate = 2 },
    { until = "5m", users = 100, spawn_rate = 2 },
    { until = "6m", users = 200, spawn_rate = 10 },
    { until = "8m", users = 50, spawn_rate = 5 },
]
thresholds = { p95_ms = 1000, p99_ms = 2000 }

[profiles.stress]
description = "Steps of 100 users every 5 minutes up to 400, then down to 0 to watch recovery"
stages = [
    { until = "5m", users = 100, spawn_rate = 10 },
    { until = "10m", users = 200, spawn_rate = 10 },
    { until = "15m", users = 300, spawn_rate = 10 },
    { until = "20m", users = 400, spawn_rate = 10 },
    { until = "21m", users = 0, spawn_rate = 10 },
]

[thresholds]
p50_ms = 200
p95_ms = 500
p99_ms = 1000
error_rate_pct = 1
fail_on_errors = true

[thresholds.endpoints."/api/v1/health*"]
p95_ms = 100

[thresholds.endpoints."/api/auth/*"]
p95_ms = 500

[spike]
users = 100
spawn_rate = 20
duration = "30s"

[regression]
min_abs_ms = 5
min_abs_error_rate_pct = 0.5
min_samples = 50
relative_pct = { p50 = 10, p95 = 10, p99 = 10, avg = 10, error_rate = 10, rps = 10 }

[resources]
metrics_url = ""
scrape_interval_s = 5
health_path = ""
preflight_timeout_s = 5
thresholds = { target_cpu_pct = 70, memory_pct = 80, db_pool_pct = 80, queue_depth = 1000 }
"""
"""The built-in settings, the same values as the shipped config.toml (a test keeps them in step)."""


# --------------------------------------------------------------------------- loading


class _Reader:
    """Validates one TOML document; every error names the file and the key path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def where(self, path: str) -> str:
        return f"{self.file}: {path}"

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where(path)}: {message}")

    def table(self, value: object, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        """``value`` as a table whose keys are all in ``allowed``."""
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a table, got {_describe(value)}")
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = (
                    f"did you mean {hint[0]!r}?" if hint else f"expected one of: {', '.join(allowed)}"
                )
                raise self.fail(_join(path, key), f"unknown key ({suggestion})")
        return value

    def check(self, func: Any, value: object, path: str) -> Any:
        """Run a shared validator, turning its UserError into a ConfigError."""
        try:
            return func(value, self.where(path))
        except ConfigError:
            raise
        except UserError as error:
            raise ConfigError(error.message) from None

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"expected a string, got {_describe(value)}")
        return value

    def positive(self, value: object, path: str) -> float:
        number = _number(value) if not isinstance(value, str) else None
        if number is None or number <= 0:
            raise self.fail(path, f"expected a number above 0, got {_describe(value)}")
        return number

    def fraction_pct(self, value: object, path: str) -> float:
        number = _number(value) if not isinstance(value, str) else None
        if number is None or not 0 < number <= 100:
            raise self.fail(path, f"expected a percentage above 0 and at most 100, got {_describe(value)}")
        return number

    def count(self, value: object, path: str) -> int:
        number = _number(value) if not isinstance(value, str) else None
        if number is None or not number.is_integer() or number < 0:
            raise self.fail(path, f"expected a whole number of 0 or more, got {_describe(value)}")
        return int(number)

    # ---- sections

    def limits(self, value: object, path: str, endpoint: bool) -> Limits:
        table = self.table(value, path, LIMIT_FIELDS)
        values: dict[str, float | None] = {}
        off: set[str] = set()
        for name, raw in table.items():
            key_path = _join(path, name)
            if endpoint and name == "min_rps":
                raise self.fail(key_path, "min_rps applies to the aggregated total only ([thresholds])")
            if raw is False:
                off.add(name)
                continue
            if name == "error_rate_pct":
                values[name] = self.fraction_pct(raw, key_path)
            else:
                values[name] = self.positive(raw, key_path)
        return Limits(**values, off=frozenset(off))

    def thresholds(self, value: object, path: str) -> Thresholds:
        table = self.table(value, path, LIMIT_FIELDS + ("endpoints", "fail_on_errors"))
        fail_on_errors = table.get("fail_on_errors")
        if fail_on_errors is not None and not isinstance(fail_on_errors, bool):
            got = _describe(fail_on_errors)
            raise self.fail(_join(path, "fail_on_errors"), f"expected true or false, got {got}")
        limit_keys = ("endpoints", "fail_on_errors")
        default = self.limits({k: v for k, v in table.items() if k not in limit_keys}, path, endpoint=False)
        patterns = table.get("endpoints", {})
        if not isinstance(patterns, dict):
            raise self.fail(_join(path, "endpoints"), f"expected a table, got {_describe(patterns)}")
        endpoints: dict[str, Limits] = {}
        for pattern, raw in patterns.items():
            pattern_path = f'{_join(path, "endpoints")}."{pattern}"'
            if not pattern.strip():
                raise self.fail(pattern_path, "expected a non-empty endpoint name pattern")
            endpoints[pattern] = self.limits(raw, pattern_path, endpoint=True)
        return Thresholds(default=default, endpoints=endpoints, fail_on_errors=fail_on_errors)

    def stages(self, value: object, path: str) -> tuple[Stage, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, f"expected a non-empty list of stages, got {_describe(value)}")
        stages: list[Stage] = []
        for index, raw in enumerate(value):
            stage_path = f"{path}[{index}]"
            table = self.table(raw, stage_path, ("until", "users", "spawn_rate"))
            for key in ("until", "users", "spawn_rate"):
                if key not in table:
                    raise self.fail(stage_path, f"missing key {key!r} (a stage has until, users, spawn_rate)")
            until = self.check(validate_duration, table["until"], f"{stage_path}.until")
            if stages and until <= stages[-1].until_s:
                raise self.fail(
                    f"{stage_path}.until",
                    f"stages must end in order: {until:g} s is not after {stages[-1].until_s:g} s",
                )
            users = self.stage_users(table["users"], f"{stage_path}.users")
            rate = self.check(validate_spawn_rate, table["spawn_rate"], f"{stage_path}.spawn_rate")
            stages.append(Stage(until_s=until, users=users, spawn_rate=rate))
        if not any(stage.users for stage in stages):
            raise self.fail(path, "at least one stage needs users above 0")
        return tuple(stages)

    def stage_users(self, value: object, path: str) -> int:
        number = _number(value) if not isinstance(value, str) else None
        if number is None or not number.is_integer() or not 0 <= number <= MAX_USERS:
            raise self.fail(
                path, f"expected a whole number of users from 0 to {MAX_USERS}, got {_describe(value)}"
            )
        return int(number)

    def profile(self, name: str, value: object) -> Profile:
        path = f"profiles.{name}"
        allowed = ("description", "users", "spawn_rate", "duration", "stages", "thresholds")
        table = self.table(value, path, (*allowed, "weights", "fixed_count"))
        description = self.text(table.get("description", ""), f"{path}.description")
        mix = UserMix(
            self.check(parse_weights, table["weights"], f"{path}.weights") if "weights" in table else {},
            self.check(parse_fixed_count, table["fixed_count"], f"{path}.fixed_count")
            if "fixed_count" in table
            else {},
        )
        thresholds = (
            self.thresholds(table["thresholds"], f"{path}.thresholds") if "thresholds" in table else None
        )
        if "stages" in table:
            extra = [key for key in ("users", "spawn_rate", "duration") if key in table]
            if extra:
                raise self.fail(
                    f"{path}.{extra[0]}", "a staged profile takes users, rate and duration from its stages"
                )
            stages = self.stages(table["stages"], f"{path}.stages")
            return Profile(
                name=name,
                users=max(stage.users for stage in stages),
                spawn_rate=stages[0].spawn_rate,
                duration_s=stages[-1].until_s,
                stages=stages,
                description=description,
                thresholds=thresholds,
                mix=mix,
            )
        for key in ("users", "spawn_rate"):
            if key not in table:
                raise self.fail(path, f"missing key {key!r} (a profile has users and spawn_rate, or stages)")
        duration = table.get("duration")
        return Profile(
            name=name,
            users=self.check(validate_users, table["users"], f"{path}.users"),
            spawn_rate=self.check(validate_spawn_rate, table["spawn_rate"], f"{path}.spawn_rate"),
            duration_s=None
            if duration is None
            else self.check(validate_duration, duration, f"{path}.duration"),
            description=description,
            thresholds=thresholds,
            mix=mix,
        )

    def regression(self, value: object) -> Regression:
        allowed = ("relative_pct", "min_abs_ms", "min_abs_error_rate_pct", "min_samples")
        table = self.table(value, "regression", allowed)
        relative = self.table(table.get("relative_pct", {}), "regression.relative_pct", REGRESSION_METRICS)
        defaults = Regression()
        return Regression(
            relative={
                metric: (
                    self.positive(relative[metric], f"regression.relative_pct.{metric}") / 100
                    if metric in relative
                    else defaults.relative[metric]
                )
                for metric in REGRESSION_METRICS
            },
            min_abs_ms=self._non_negative(table, "regression", "min_abs_ms", defaults.min_abs_ms),
            min_abs_error_rate_pct=self._non_negative(
                table, "regression", "min_abs_error_rate_pct", defaults.min_abs_error_rate_pct
            ),
            min_samples=self.count(table.get("min_samples", defaults.min_samples), "regression.min_samples"),
        )

    def _non_negative(self, table: Mapping[str, Any], path: str, key: str, default: float) -> float:
        raw = table.get(key, default)
        number = _number(raw) if not isinstance(raw, str) else None
        if number is None or number < 0:
            raise self.fail(f"{path}.{key}", f"expected a number of 0 or more, got {_describe(raw)}")
        return number

    def resources(self, value: object) -> Resources:
        allowed = tuple(f.name for f in fields(Resources))
        table = self.table(value, "resources", allowed)
        metrics_url = self.text(table.get("metrics_url", ""), "resources.metrics_url").strip()
        health_path = self.text(table.get("health_path", ""), "resources.health_path").strip()
        if health_path and not health_path.startswith("/"):
            raise self.fail(
                "resources.health_path", f"expected a path starting with '/', got {health_path!r}"
            )
        limits_allowed = tuple(f.name for f in fields(ResourceThresholds))
        limits = self.table(table.get("thresholds", {}), "resources.thresholds", limits_allowed)
        limit_values: dict[str, float | None] = {}
        for name, raw in limits.items():
            key_path = f"resources.thresholds.{name}"
            if raw is False:
                limit_values[name] = None
            elif name == "queue_depth":
                limit_values[name] = self.positive(raw, key_path)
            else:
                limit_values[name] = self.fraction_pct(raw, key_path)
        defaults = Resources()
        return Resources(
            metrics_url=self.check(validate_metrics_url, metrics_url, "resources.metrics_url")
            if metrics_url
            else None,
            scrape_interval_s=self.check(
                validate_duration,
                table.get("scrape_interval_s", defaults.scrape_interval_s),
                "resources.scrape_interval_s",
            ),
            health_path=health_path or None,
            preflight_timeout_s=self.check(
                validate_duration,
                table.get("preflight_timeout_s", defaults.preflight_timeout_s),
                "resources.preflight_timeout_s",
            ),
            thresholds=ResourceThresholds(**limit_values),
        )

    def settings(self, data: dict[str, Any], source: Path | None) -> Settings:
        top = self.table(
            data, "", ("run", "profiles", "thresholds", "spike", "regression", "resources", "display")
        )
        run_allowed = ("host", "workers", "runs_dir", "default_profile", "default_scenario", "max_endpoints")
        run = self.table(top.get("run", {}), "run", run_allowed)
        host = self.text(run.get("host", ""), "run.host").strip()
        workers = run.get("workers")
        runs_dir = self.text(run.get("runs_dir", "runs"), "run.runs_dir").strip()
        if not runs_dir:
            raise self.fail("run.runs_dir", "expected a directory path, got an empty string")
        profiles_table = top.get("profiles", {})
        if not isinstance(profiles_table, dict):
            raise self.fail("profiles", f"expected a table of profiles, got {_describe(profiles_table)}")
        profiles = {name: self.profile(name, raw) for name, raw in profiles_table.items()}
        if not profiles:
            raise self.fail("profiles", "expected at least one profile")
        default_profile = self.text(run.get("default_profile", "light"), "run.default_profile")
        if default_profile not in profiles:
            raise self.fail(
                "run.default_profile", f"unknown profile {default_profile!r} (known: {', '.join(profiles)})"
            )
        default_scenario = self.text(run.get("default_scenario", "notifications"), "run.default_scenario")
        if not default_scenario.strip():
            raise self.fail("run.default_scenario", "expected a scenario name, got an empty string")
        spike = self.table(top.get("spike", {}), "spike", ("users", "spawn_rate", "duration"))
        drill = SpikeDrill()
        return Settings(
            source=source,
            host=self.check(validate_target_url, host, "run.host") if host else None,
            workers=None if workers is None else self.check(validate_workers, workers, "run.workers"),
            runs_dir=Path(runs_dir).expanduser(),
            profiles=profiles,
            thresholds=self.thresholds(top.get("thresholds", {}), "thresholds"),
            spike=SpikeDrill(
                users=self.check(validate_users, spike.get("users", drill.users), "spike.users"),
                spawn_rate=self.check(
                    validate_spawn_rate, spike.get("spawn_rate", drill.spawn_rate), "spike.spawn_rate"
                ),
                duration_s=self.check(
                    validate_duration, spike.get("duration", drill.duration_s), "spike.duration"
                ),
            ),
            regression=self.regression(top.get("regression", {})),
            resources=self.resources(top.get("resources", {})),
            default_profile=default_profile,
            default_scenario=default_scenario.strip(),
            window_s=self.window_s(top.get("display", {})),
            max_endpoints=self.max_endpoints(run.get("max_endpoints", 500)),
        )

    def max_endpoints(self, value: object) -> int:
        number = _number(value)
        if number is None or not number.is_integer() or not 1 <= number <= MAX_ENDPOINTS:
            raise self.fail(
                "run.max_endpoints", f"expected a whole number from 1 to {MAX_ENDPOINTS}, got {value!r}"
            )
        return int(number)

    def window_s(self, raw: object) -> int:
        display = self.table(raw, "display", ("window_s",))
        value = display.get("window_s", 10)
        number = _number(value)
        if number is None or not number.is_integer() or not 1 <= number <= MAX_WINDOW_S:
            raise self.fail(
                "display.window_s", f"expected whole seconds from 1 to {MAX_WINDOW_S}, got {value!r}"
            )
        return int(number)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    """A short rendering of a TOML value for error messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_ITEM_TABLES = {"profiles", "thresholds.endpoints"}
"""Tables whose entries replace the built-in entry of the same name instead of merging into it."""


def _merge(base: Mapping[str, Any], override: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """``override`` over ``base``: tables merge key by key, except entries of :data:`_ITEM_TABLES`."""
    merged = dict(base)
    for key, value in override.items():
        key_path = _join(path, key)
        inherited = merged.get(key)
        if path in _ITEM_TABLES or not isinstance(value, dict) or not isinstance(inherited, dict):
            merged[key] = value
        else:
            merged[key] = _merge(inherited, value, key_path)
    return merged


def default_settings() -> Settings:
    """The built-in settings (what the shipped config.toml holds)."""
    return _Reader("built-in defaults").settings(tomllib.loads(DEFAULT_CONFIG_TOML), None)


def parse_settings(text: str, file: str = CONFIG_FILENAME, source: Path | None = None) -> Settings:
    """Settings from TOML text merged over the built-in defaults; ConfigError naming ``file`` on problems."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{file}: invalid TOML: nested too deeply") from None
    return _Reader(file).settings(_merge(tomllib.loads(DEFAULT_CONFIG_TOML), data), source)


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path``; None: ``./config.toml`` if it exists, else the built-in defaults."""
    if path is None:
        candidate = Path(CONFIG_FILENAME)
        if not candidate.is_file():
            return default_settings()
        path = candidate
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: cannot read config: it is a directory") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text (byte {error.start})") from None
    return parse_settings(text, str(path), path)
