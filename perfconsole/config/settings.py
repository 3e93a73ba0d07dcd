"""The settings model: plain frozen dataclasses for everything config.toml holds.

Their defaults are ``defaults.toml``'s (:data:`~perfconsole.config.schema.BUILT_IN`), never written here.

No Locust, no Textual: importing this module must not start gevent's monkey-patching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from perfconsole.config.schema import BUILT_IN, LimitsTable, RelativePctTable
from perfconsole.config.validators import confirm_seconds
from perfconsole.errors import UserError
from perfconsole.user_mix import UserMix

LIMIT_FIELDS: tuple[str, ...] = LimitsTable.__struct_fields__
"""Names of the checkable fields of :class:`Limits` (also their TOML keys)."""
RUN_ONLY_FIELDS: tuple[str, ...] = ("min_rps", "dropped_pct", "start_lag_p95_ms")
"""Limits on the whole run: in ``[thresholds]`` (or a profile's), never per endpoint."""

REGRESSION_METRICS: tuple[str, ...] = RelativePctTable.__struct_fields__
"""Metrics compared with a baseline; ``rps`` regresses when it drops, the others when they rise."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a staged profile: hold ``users`` (reached at ``spawn_rate``/s) until ``until_s``."""

    until_s: float
    users: int
    spawn_rate: float


@dataclass(frozen=True, slots=True)
class RateStage:
    """One step of an arrival-rate profile: ``rate`` iterations/s until ``until_s`` (seconds from the start),
    at once, or with ``linear`` reached linearly from the rate before across the stage."""

    until_s: float
    rate: float
    linear: bool = False


@dataclass(frozen=True, slots=True)
class Arrival:
    """A profile's arrival-rate mode: a constant ``rate`` or rate ``stages`` (iterations/s)."""

    rate: float | None = None
    stages: tuple[RateStage, ...] = ()
    max_users: int | None = None
    """The pool's ceiling; None: ten times the initial pool (the profile's ``users``)."""
    poisson: bool = False
    """Poisson arrivals instead of constant spacing."""


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
    dropped_pct: float | None = None
    """Arrival-rate mode: dropped iterations in percent of those scheduled must stay below this."""
    start_lag_p95_ms: float | None = None
    """Arrival-rate mode: the p95 of the start lag (scheduled to actual start) must stay below this."""
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
    arrival: Arrival | None = None
    """Arrival-rate mode (``arrival_rate`` or rate ``stages``); ``users`` is then the initial pool."""
    mix: UserMix = field(default_factory=UserMix)
    """User-class weights and fixed counts (``[profiles.NAME.weights]``, ``[profiles.NAME.fixed_count]``)."""

    @property
    def staged(self) -> bool:
        return bool(self.stages)


@dataclass(frozen=True, slots=True)
class SpikeDrill:
    """Users added on top of the running load for ``duration_s``, started from the console."""

    users: int = BUILT_IN.spike.users
    spawn_rate: float = BUILT_IN.spike.spawn_rate
    duration_s: float = BUILT_IN.spike.duration


@dataclass(frozen=True, slots=True)
class Regression:
    """When a run counts as a regression against a baseline."""

    relative: dict[str, float] = field(
        default_factory=lambda: {
            m: getattr(BUILT_IN.regression.relative_pct, m) / 100 for m in REGRESSION_METRICS
        }
    )
    """Largest tolerated relative change per metric of :data:`REGRESSION_METRICS`, as a fraction of the
    baseline (0.10 = 10 %): an increase for latencies and error_rate, a drop for rps. TOML gives percent
    (``[regression.relative_pct]``)."""
    min_abs_ms: float = BUILT_IN.regression.min_abs_ms
    """A latency change smaller than this (ms) is never a regression."""
    min_abs_error_rate_pct: float = BUILT_IN.regression.min_abs_error_rate_pct
    """An error-rate change smaller than this (percentage points) is never a regression."""
    min_samples: int = BUILT_IN.regression.min_samples
    """Both sides need at least this many requests on an endpoint for it to be judged."""


@dataclass(frozen=True, slots=True)
class Soak:
    """The soak verdict of long runs (``[soak]``): trends judged against these limits."""

    min_duration_s: float = float(BUILT_IN.soak.min_duration)
    """Runs shorter than this get no soak verdict."""
    p95_pct_per_hour: float = BUILT_IN.soak.p95_pct_per_hour
    """p95 growing faster than this (percent of the run's mean p95 per hour) is degrading."""
    error_rate_pts_per_hour: float = BUILT_IN.soak.error_rate_pts_per_hour
    """The error rate growing faster than this (percentage points per hour) is degrading."""
    target_rss_mb_per_min: float = BUILT_IN.soak.target_rss_mb_per_min
    generator_rss_mb_per_min: float = BUILT_IN.soak.generator_rss_mb_per_min
    min_r_squared: float = BUILT_IN.soak.min_r_squared
    """A trend counts only when the line explains at least this share of the series' variance."""


@dataclass(frozen=True, slots=True)
class Search:
    """A capacity search (``[search]``, ``--search-*`` flags): how its steps grow, last and are refined."""

    mode: str = BUILT_IN.search.mode
    """``rate`` (the arrival rate, iterations/s) or ``users``."""
    start: float = BUILT_IN.search.start
    maximum: float = BUILT_IN.search.max
    step_pct: float = BUILT_IN.search.step_pct
    """Growth per step in percent of the level (100: doubling)."""
    step_scale: str = BUILT_IN.search.step_scale
    """``fixed``: every growing step is ``step_pct``; ``margin``: ``step_pct`` times the last step's remaining
    margin to its closest limit, at least ``resolution_pct`` (:func:`verdicts.capacity_search.grow_pct`)."""
    resolution_pct: float = BUILT_IN.search.resolution_pct
    """Refine until the last pass and the first fail are this close (percent of the fail)."""
    settle_s: float = float(BUILT_IN.search.settle)
    """Each step's first seconds, left out of its figures."""
    step_s: float = float(BUILT_IN.search.step_time)
    """Each step's measured time (at least; longer until ``min_requests``)."""
    min_requests: int = BUILT_IN.search.min_requests
    confirm_s: float = confirm_seconds(BUILT_IN.search.confirm, "search.confirm")
    """The best passing level held this long at the end (0: no confirmation)."""
    knee_gain: float = BUILT_IN.search.knee_gain
    """The knee: a step's achieved req/s grew less than this fraction of its offered growth."""
    max_steps: int = BUILT_IN.search.max_steps


def _resource_limit(value: object) -> float | None:
    """A built-in resource limit: ``false`` in defaults.toml is no limit."""
    return None if value is False or value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ResourceThresholds:
    """Limits on the target's resources; None = not checked. Percentages are 0-100."""

    target_cpu_pct: float | None = _resource_limit(BUILT_IN.resources.thresholds.target_cpu_pct)
    memory_pct: float | None = _resource_limit(BUILT_IN.resources.thresholds.memory_pct)
    db_pool_pct: float | None = _resource_limit(BUILT_IN.resources.thresholds.db_pool_pct)
    """Connections in use as a percentage of the pool size."""
    queue_depth: float | None = _resource_limit(BUILT_IN.resources.thresholds.queue_depth)


@dataclass(frozen=True, slots=True)
class Resources:
    """Target health checks and resource monitoring."""

    metrics_url: str | None = None
    """Prometheus text endpoint of the target (any http(s) URL); None = no scraping."""
    scrape_interval_s: float = BUILT_IN.resources.scrape_interval_s
    health_path: str | None = None
    """Path under the host that must answer 2xx in preflight (e.g. ``/api/v1/health/``); None = any answer."""
    preflight_timeout_s: float = BUILT_IN.resources.preflight_timeout_s
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
    soak: Soak = field(default_factory=Soak)
    search: Search = field(default_factory=Search)
    resources: Resources = field(default_factory=Resources)
    default_profile: str = BUILT_IN.run.default_profile
    default_scenario: str = BUILT_IN.run.default_scenario
    max_endpoints: int = BUILT_IN.run.max_endpoints
    """``[run] max_endpoints``: distinct endpoint names kept; later ones fold into ``(other)`` per method."""
    window_s: int = BUILT_IN.display.window_s
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
