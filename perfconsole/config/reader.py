"""The schema reader: turns one parsed TOML document into :class:`~perfconsole.config.settings.Settings`,
validating every value; each error is a :class:`~perfconsole.errors.ConfigError` naming the file and key path.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

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
    Settings,
    SpikeDrill,
    Stage,
    Thresholds,
)
from perfconsole.config.validators import (
    MAX_USERS,
    number_or_none,
    validate_arrival_rate,
    validate_duration,
    validate_spawn_rate,
    validate_users,
    validate_workers,
)
from perfconsole.errors import ConfigError, UserError
from perfconsole.hosts import validate_metrics_url, validate_target_url
from perfconsole.user_mix import UserMix, parse_fixed_count, parse_weights

MAX_WINDOW_S = 600
RATE_KEYS = ("arrival_rate", "max_users", "arrivals")
"""Keys of an arrival-rate profile only (with rate stages: ``{ until, rate, ramp }``)."""
DEFAULT_RATE_POOL = 10
"""An arrival-rate profile's initial pool when it gives no ``users``."""
MAX_ENDPOINTS = 100_000


class Reader:
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
            raise self.fail(path, f"expected a table, got {describe(value)}")
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = (
                    f"did you mean {hint[0]!r}?" if hint else f"expected one of: {', '.join(allowed)}"
                )
                raise self.fail(join_path(path, key), f"unknown key ({suggestion})")
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
            raise self.fail(path, f"expected a string, got {describe(value)}")
        return value

    def positive(self, value: object, path: str) -> float:
        number = number_or_none(value) if not isinstance(value, str) else None
        if number is None or number <= 0:
            raise self.fail(path, f"expected a number above 0, got {describe(value)}")
        return number

    def fraction_pct(self, value: object, path: str) -> float:
        number = number_or_none(value) if not isinstance(value, str) else None
        if number is None or not 0 < number <= 100:
            raise self.fail(path, f"expected a percentage above 0 and at most 100, got {describe(value)}")
        return number

    def count(self, value: object, path: str) -> int:
        number = number_or_none(value) if not isinstance(value, str) else None
        if number is None or not number.is_integer() or number < 0:
            raise self.fail(path, f"expected a whole number of 0 or more, got {describe(value)}")
        return int(number)

    # ---- sections

    def limits(self, value: object, path: str, endpoint: bool) -> Limits:
        table = self.table(value, path, LIMIT_FIELDS)
        values: dict[str, float | None] = {}
        off: set[str] = set()
        for name, raw in table.items():
            key_path = join_path(path, name)
            if endpoint and name in RUN_ONLY_FIELDS:
                raise self.fail(key_path, f"{name} applies to the aggregated total only ([thresholds])")
            if raw is False:
                off.add(name)
                continue
            if name in ("error_rate_pct", "dropped_pct"):
                values[name] = self.fraction_pct(raw, key_path)
            else:
                values[name] = self.positive(raw, key_path)
        return Limits(**values, off=frozenset(off))

    def thresholds(self, value: object, path: str) -> Thresholds:
        table = self.table(value, path, LIMIT_FIELDS + ("endpoints", "fail_on_errors"))
        fail_on_errors = table.get("fail_on_errors")
        if fail_on_errors is not None and not isinstance(fail_on_errors, bool):
            got = describe(fail_on_errors)
            raise self.fail(join_path(path, "fail_on_errors"), f"expected true or false, got {got}")
        limit_keys = ("endpoints", "fail_on_errors")
        default = self.limits({k: v for k, v in table.items() if k not in limit_keys}, path, endpoint=False)
        patterns = table.get("endpoints", {})
        if not isinstance(patterns, dict):
            raise self.fail(join_path(path, "endpoints"), f"expected a table, got {describe(patterns)}")
        endpoints: dict[str, Limits] = {}
        for pattern, raw in patterns.items():
            pattern_path = f'{join_path(path, "endpoints")}."{pattern}"'
            if not pattern.strip():
                raise self.fail(pattern_path, "expected a non-empty endpoint name pattern")
            endpoints[pattern] = self.limits(raw, pattern_path, endpoint=True)
        return Thresholds(default=default, endpoints=endpoints, fail_on_errors=fail_on_errors)

    def stages(self, value: object, path: str) -> tuple[Stage, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, f"expected a non-empty list of stages, got {describe(value)}")
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
        number = number_or_none(value) if not isinstance(value, str) else None
        if number is None or not number.is_integer() or not 0 <= number <= MAX_USERS:
            raise self.fail(
                path, f"expected a whole number of users from 0 to {MAX_USERS}, got {describe(value)}"
            )
        return int(number)

    def profile(self, name: str, value: object) -> Profile:
        path = f"profiles.{name}"
        allowed = ("description", "users", "spawn_rate", "duration", "stages", "thresholds", *RATE_KEYS)
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
        if "arrival_rate" in table or any(
            isinstance(s, dict) and "rate" in s for s in table.get("stages") or ()
        ):
            return self.rate_profile(name, table, description, thresholds, mix)
        for key in RATE_KEYS:
            if key in table:
                raise self.fail(
                    f"{path}.{key}", "belongs to an arrival-rate profile (arrival_rate or rate stages)"
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

    def rate_profile(
        self, name: str, table: dict[str, Any], description: str, thresholds: Thresholds | None, mix: UserMix
    ) -> Profile:
        """An arrival-rate profile: ``arrival_rate`` or rate ``stages``; ``users`` the initial pool."""
        path = f"profiles.{name}"
        if "arrival_rate" in table and "stages" in table:
            raise self.fail(f"{path}.arrival_rate", "give arrival_rate or rate stages, not both")
        stages = self.rate_stages(table["stages"], f"{path}.stages") if "stages" in table else ()
        rate = (
            self.check(validate_arrival_rate, table["arrival_rate"], f"{path}.arrival_rate")
            if "arrival_rate" in table
            else None
        )
        if stages and "duration" in table:
            raise self.fail(f"{path}.duration", "a rate-staged profile ends with its last stage")
        arrivals = table.get("arrivals", "constant")
        if arrivals not in ("constant", "poisson"):
            raise self.fail(f"{path}.arrivals", f'expected "constant" or "poisson", got {describe(arrivals)}')
        users = self.check(validate_users, table.get("users", DEFAULT_RATE_POOL), f"{path}.users")
        max_users = (
            self.check(validate_users, table["max_users"], f"{path}.max_users")
            if "max_users" in table
            else None
        )
        if max_users is not None and max_users < users:
            raise self.fail(f"{path}.max_users", f"the ceiling {max_users} is below the initial pool {users}")
        duration = table.get("duration")
        duration_s = (
            stages[-1].until_s
            if stages
            else (None if duration is None else self.check(validate_duration, duration, f"{path}.duration"))
        )
        spawn_rate = (
            self.check(validate_spawn_rate, table["spawn_rate"], f"{path}.spawn_rate")
            if "spawn_rate" in table
            else float(users)
        )
        return Profile(
            name=name,
            users=users,
            spawn_rate=spawn_rate,
            duration_s=duration_s,
            description=description,
            thresholds=thresholds,
            arrival=Arrival(rate=rate, stages=stages, max_users=max_users, poisson=arrivals == "poisson"),
            mix=mix,
        )

    def rate_stages(self, value: object, path: str) -> tuple[RateStage, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, f"expected a non-empty list of stages, got {describe(value)}")
        stages: list[RateStage] = []
        for index, raw in enumerate(value):
            stage_path = f"{path}[{index}]"
            table = self.table(raw, stage_path, ("until", "rate", "ramp"))
            for key in ("until", "rate"):
                if key not in table:
                    raise self.fail(stage_path, f"missing key {key!r} (a rate stage has until, rate, ramp)")
            until = self.check(validate_duration, table["until"], f"{stage_path}.until")
            if stages and until <= stages[-1].until_s:
                raise self.fail(
                    f"{stage_path}.until",
                    f"stages must end in order: {until:g} s is not after {stages[-1].until_s:g} s",
                )
            rate = self.check(
                lambda v, w: validate_arrival_rate(v, w, allow_zero=True), table["rate"], f"{stage_path}.rate"
            )
            ramp = table.get("ramp", "step")
            if ramp not in ("step", "linear"):
                raise self.fail(f"{stage_path}.ramp", f'expected "step" or "linear", got {describe(ramp)}')
            stages.append(RateStage(until_s=until, rate=rate, linear=ramp == "linear"))
        if not any(stage.rate for stage in stages):
            raise self.fail(path, "at least one stage needs a rate above 0")
        return tuple(stages)

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
        number = number_or_none(raw) if not isinstance(raw, str) else None
        if number is None or number < 0:
            raise self.fail(f"{path}.{key}", f"expected a number of 0 or more, got {describe(raw)}")
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
            raise self.fail("profiles", f"expected a table of profiles, got {describe(profiles_table)}")
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
        number = number_or_none(value)
        if number is None or not number.is_integer() or not 1 <= number <= MAX_ENDPOINTS:
            raise self.fail(
                "run.max_endpoints", f"expected a whole number from 1 to {MAX_ENDPOINTS}, got {value!r}"
            )
        return int(number)

    def window_s(self, raw: object) -> int:
        display = self.table(raw, "display", ("window_s",))
        value = display.get("window_s", 10)
        number = number_or_none(value)
        if number is None or not number.is_integer() or not 1 <= number <= MAX_WINDOW_S:
            raise self.fail(
                "display.window_s", f"expected whole seconds from 1 to {MAX_WINDOW_S}, got {value!r}"
            )
        return int(number)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def describe(value: object) -> str:
    """A short rendering of a TOML value for error messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
