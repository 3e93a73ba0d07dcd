"""The reader: one parsed TOML document, decoded with the declared schema (:mod:`.schema`), to
:class:`~perfconsole.config.settings.Settings`.

Types, ranges and unknown keys are the schema's; here are only the rules across keys (which kind of profile,
stages in order, the default profile exists) and the URL policy. Each error is a one-line
:class:`~perfconsole.errors.ConfigError` naming the file and the key path.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import msgspec

from perfconsole.config.schema import (
    ConfigFile,
    LimitsTable,
    ProfileTable,
    RateStageTable,
    RegressionTable,
    ResourcesTable,
    SearchTable,
    StageTable,
    ThresholdsTable,
)
from perfconsole.config.schema_errors import convert, expectation, join_key
from perfconsole.config.settings import (
    LIMIT_FIELDS,
    REGRESSION_METRICS,
    RUN_ONLY_FIELDS,
    Arrival,
    Limits,
    Profile,
    RateStage,
    Regression,
    Resources,
    ResourceThresholds,
    Search,
    Settings,
    Soak,
    SpikeDrill,
    Stage,
    Thresholds,
)
from perfconsole.config.validators import confirm_seconds
from perfconsole.errors import ConfigError, UserError
from perfconsole.hosts import validate_metrics_url, validate_target_url
from perfconsole.user_mix import UserMix, parse_fixed_count, parse_weights

DEFAULT_RATE_POOL = 10
"""An arrival-rate profile's initial pool when it gives no ``users``."""
join_path = join_key


class Reader:
    """Builds settings from one TOML document; every error names the file and the key path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.file}: {path}: {message}")

    def check(self, func: Any, value: object, path: str) -> Any:
        """Run a shared validator, turning its UserError into a ConfigError."""
        try:
            return func(value, f"{self.file}: {path}")
        except UserError as error:
            raise ConfigError(error.message) from None

    def settings(self, data: dict[str, Any], source: Path | None) -> Settings:
        top = convert(data, ConfigFile, self.file)
        run = top.run
        runs_dir = run.runs_dir.strip()
        if not runs_dir:
            raise self.fail("run.runs_dir", "expected a directory path, got an empty string")
        profiles = {
            name: self.profile(name, table, data["profiles"][name]) for name, table in top.profiles.items()
        }
        if run.default_profile not in profiles:
            known = ", ".join(profiles)
            raise self.fail(
                "run.default_profile", f"unknown profile {run.default_profile!r} (known: {known})"
            )
        if not run.default_scenario.strip():
            raise self.fail("run.default_scenario", "expected a scenario name, got an empty string")
        host = run.host.strip()
        return Settings(
            source=source,
            host=self.check(validate_target_url, host, "run.host") if host else None,
            workers=run.workers,
            runs_dir=Path(runs_dir).expanduser(),
            profiles=profiles,
            thresholds=self.thresholds(top.thresholds, "thresholds"),
            spike=SpikeDrill(
                users=top.spike.users, spawn_rate=top.spike.spawn_rate, duration_s=float(top.spike.duration)
            ),
            regression=self.regression(top.regression),
            soak=Soak(
                min_duration_s=float(top.soak.min_duration),
                p95_pct_per_hour=top.soak.p95_pct_per_hour,
                error_rate_pts_per_hour=top.soak.error_rate_pts_per_hour,
                target_rss_mb_per_min=top.soak.target_rss_mb_per_min,
                generator_rss_mb_per_min=top.soak.generator_rss_mb_per_min,
                min_r_squared=top.soak.min_r_squared,
            ),
            search=self.search(top.search),
            resources=self.resources(top.resources),
            default_profile=run.default_profile,
            default_scenario=run.default_scenario.strip(),
            window_s=top.display.window_s,
            max_endpoints=run.max_endpoints,
        )

    # ---- thresholds

    def limits(self, table: LimitsTable, path: str, endpoint: bool) -> Limits:
        values: dict[str, float | None] = {}
        off: set[str] = set()
        for name in LIMIT_FIELDS:
            raw = getattr(table, name)
            if raw is None:
                continue
            key_path = join_key(path, name)
            if endpoint and name in RUN_ONLY_FIELDS:
                raise self.fail(key_path, f"{name} applies to the aggregated total only ([thresholds])")
            if raw is False:
                off.add(name)
            else:
                values[name] = self.not_true(raw, LimitsTable, name, key_path)
        return Limits(**values, off=frozenset(off))

    def not_true(self, value: float | bool, table: type, name: str, path: str) -> float:
        """A limit's number; ``true`` is no limit (``false`` switches one off)."""
        if value is True:
            kind = next(f.type for f in msgspec.structs.fields(table) if f.name == name)
            raise self.fail(path, f"expected {expectation(kind)}, got True")
        return float(value)

    def thresholds(self, table: ThresholdsTable, path: str) -> Thresholds:
        endpoints: dict[str, Limits] = {}
        for pattern, limits in table.endpoints.items():
            pattern_path = f'{join_key(path, "endpoints")}."{pattern}"'
            if not pattern.strip():
                raise self.fail(pattern_path, "expected a non-empty endpoint name pattern")
            endpoints[pattern] = self.limits(limits, pattern_path, endpoint=True)
        default = self.limits(table, path, endpoint=False)
        return Thresholds(default=default, endpoints=endpoints, fail_on_errors=table.fail_on_errors)

    # ---- profiles

    def profile(self, name: str, table: ProfileTable, raw: dict[str, Any]) -> Profile:
        path = join_key("profiles", name)
        mix = UserMix(
            self.check(parse_weights, table.weights, f"{path}.weights") if table.weights is not None else {},
            self.check(parse_fixed_count, table.fixed_count, f"{path}.fixed_count")
            if table.fixed_count is not None
            else {},
        )
        thresholds = self.thresholds(table.thresholds, f"{path}.thresholds") if table.thresholds else None
        rated = table.arrival_rate is not None or any("rate" in stage for stage in table.stages or ())
        if rated:
            return self.rate_profile(name, table, raw, thresholds, mix)
        for key in ("arrival_rate", "max_users", "arrivals"):
            if key in raw:
                raise self.fail(
                    f"{path}.{key}", "belongs to an arrival-rate profile (arrival_rate or rate stages)"
                )
        plain = Profile(name, 0, 0.0, None, description=table.description, thresholds=thresholds, mix=mix)
        if table.stages is not None:
            extra = [key for key in ("users", "spawn_rate", "duration") if key in raw]
            if extra:
                raise self.fail(
                    f"{path}.{extra[0]}", "a staged profile takes users, rate and duration from its stages"
                )
            stages = self.stages(table.stages, f"{path}.stages")
            return replace(
                plain,
                users=max(stage.users for stage in stages),
                spawn_rate=stages[0].spawn_rate,
                duration_s=stages[-1].until_s,
                stages=stages,
            )
        if table.users is None or table.spawn_rate is None:
            key = "users" if table.users is None else "spawn_rate"
            raise self.fail(path, f"missing key {key!r} (a profile has users and spawn_rate, or stages)")
        return replace(
            plain, users=table.users, spawn_rate=table.spawn_rate, duration_s=seconds(table.duration)
        )

    def stages(self, raw: list[dict[str, Any]], path: str) -> tuple[Stage, ...]:
        stages: list[Stage] = []
        for index, entry in enumerate(raw):
            stage = convert(entry, StageTable, self.file, f"{path}[{index}]")
            self.in_order(stage.until, stages[-1].until_s if stages else None, f"{path}[{index}].until")
            stages.append(Stage(until_s=float(stage.until), users=stage.users, spawn_rate=stage.spawn_rate))
        if not any(stage.users for stage in stages):
            raise self.fail(path, "at least one stage needs users above 0")
        return tuple(stages)

    def in_order(self, until: float, before: float | None, path: str) -> None:
        if before is not None and until <= before:
            raise self.fail(path, f"stages must end in order: {until:g} s is not after {before:g} s")

    def rate_profile(
        self, name: str, table: ProfileTable, raw: dict[str, Any], thresholds: Thresholds | None, mix: UserMix
    ) -> Profile:
        """An arrival-rate profile: ``arrival_rate`` or rate ``stages``; ``users`` the initial pool."""
        path = join_key("profiles", name)
        if table.arrival_rate is not None and table.stages is not None:
            raise self.fail(f"{path}.arrival_rate", "give arrival_rate or rate stages, not both")
        stages = self.rate_stages(table.stages, f"{path}.stages") if table.stages is not None else ()
        if stages and table.duration is not None:
            raise self.fail(f"{path}.duration", "a rate-staged profile ends with its last stage")
        users = table.users if table.users is not None else DEFAULT_RATE_POOL
        if table.max_users is not None and table.max_users < users:
            raise self.fail(
                f"{path}.max_users", f"the ceiling {table.max_users} is below the initial pool {users}"
            )
        return Profile(
            name=name,
            users=users,
            spawn_rate=table.spawn_rate if table.spawn_rate is not None else float(users),
            duration_s=stages[-1].until_s if stages else seconds(table.duration),
            description=table.description,
            thresholds=thresholds,
            arrival=Arrival(
                rate=table.arrival_rate,
                stages=stages,
                max_users=table.max_users,
                poisson=table.arrivals == "poisson",
            ),
            mix=mix,
        )

    def rate_stages(self, raw: list[dict[str, Any]], path: str) -> tuple[RateStage, ...]:
        stages: list[RateStage] = []
        for index, entry in enumerate(raw):
            stage = convert(entry, RateStageTable, self.file, f"{path}[{index}]")
            self.in_order(stage.until, stages[-1].until_s if stages else None, f"{path}[{index}].until")
            stages.append(
                RateStage(until_s=float(stage.until), rate=stage.rate, linear=stage.ramp == "linear")
            )
        if not any(stage.rate for stage in stages):
            raise self.fail(path, "at least one stage needs a rate above 0")
        return tuple(stages)

    # ---- the other tables

    def regression(self, table: RegressionTable) -> Regression:
        return Regression(
            relative={metric: getattr(table.relative_pct, metric) / 100 for metric in REGRESSION_METRICS},
            min_abs_ms=table.min_abs_ms,
            min_abs_error_rate_pct=table.min_abs_error_rate_pct,
            min_samples=table.min_samples,
        )

    def search(self, table: SearchTable) -> Search:
        if table.max < table.start:
            raise self.fail(
                "search.max", f"expected at least search.start ({table.start:g}), got {table.max:g}"
            )
        return Search(
            mode=table.mode,
            start=table.start,
            maximum=table.max,
            step_pct=table.step_pct,
            step_scale=table.step_scale,
            resolution_pct=table.resolution_pct,
            settle_s=float(table.settle),
            step_s=float(table.step_time),
            min_requests=table.min_requests,
            confirm_s=self.check(confirm_seconds, table.confirm, "search.confirm"),
            knee_gain=table.knee_gain,
            max_steps=table.max_steps,
        )

    def resources(self, table: ResourcesTable) -> Resources:
        metrics_url = table.metrics_url.strip()
        health_path = table.health_path.strip()
        if health_path and not health_path.startswith("/"):
            raise self.fail(
                "resources.health_path", f"expected a path starting with '/', got {health_path!r}"
            )
        limits = table.thresholds
        values = {
            name: None
            if value is False
            else self.not_true(value, type(limits), name, f"resources.thresholds.{name}")
            for name in limits.__struct_fields__
            if (value := getattr(limits, name)) is not None
        }
        return Resources(
            metrics_url=self.check(validate_metrics_url, metrics_url, "resources.metrics_url")
            if metrics_url
            else None,
            scrape_interval_s=float(table.scrape_interval_s),
            health_path=health_path or None,
            preflight_timeout_s=float(table.preflight_timeout_s),
            thresholds=ResourceThresholds(**values),
        )


def seconds(duration: float | None) -> float | None:
    """A decoded :class:`Duration` as a plain float: the settings carry no schema types (the store's records
    are strict and refuse a float subclass)."""
    return None if duration is None else float(duration)
