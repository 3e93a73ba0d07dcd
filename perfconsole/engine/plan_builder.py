"""The one place where a run plan is made: parsed options (Locust's and perfconsole's), the load profile and
config.toml become a :class:`RunPlan`, with every default resolved here, for headless runs and the console.

Precedence, for every value: command line > environment > config files (locust.conf, pyproject.toml; Locust's
parser merges these) > config.toml > built-in default. Options are read with ``getattr`` so that a partial
namespace (the console's start screen choice) works too. Imports neither Locust nor Textual.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from perfconsole.config import (
    Profile,
    Settings,
    load_settings,
    validate_arrival_rate,
    validate_spawn_rate,
    validate_users,
    validate_workers,
)
from perfconsole.engine.arrival.plan import ArrivalPlan
from perfconsole.engine.plan import CustomArgument, RunPlan
from perfconsole.engine.scenario import default_scenarios_dir, resolve_scenario
from perfconsole.errors import ScenarioError, UserError
from perfconsole.hosts import validate_metrics_url, validate_target_url

DEFAULT_EXPECT_WORKERS_MAX_WAIT_S = 60.0
LOCUST_MASTER_PORT = 5557


def _opt(options: argparse.Namespace, name: str) -> Any:
    return getattr(options, name, None)


def settings_for(options: argparse.Namespace) -> Settings:
    """config.toml (``--settings PATH`` or ./config.toml, else the built-in defaults) with ``--runs-dir``."""
    path = _opt(options, "settings_path")
    settings = load_settings(Path(path) if path else None)
    runs_dir = _opt(options, "runs_dir")
    if runs_dir:
        settings = replace(settings, runs_dir=Path(runs_dir))
    return settings


def default_locustfiles(options: argparse.Namespace, settings: Settings) -> tuple[Path, ...]:
    """The locustfile when no Locust source names one: ``--scenario``, else Locust's own default
    ``./locustfile.py`` if there is one, else config.toml's ``default_scenario``."""
    scenario = _opt(options, "scenario")
    if scenario:
        return (resolve_scenario(scenario, default_scenarios_dir()),)
    if Path("locustfile.py").is_file():
        return (Path("locustfile.py").resolve(),)
    return (resolve_scenario(settings.default_scenario, default_scenarios_dir()),)


def resolve_workers(options: argparse.Namespace, settings: Settings) -> int:
    """``--workers`` (perfconsole), else ``--processes`` (Locust's name; -1 one per CPU), else config.toml,
    else one per CPU core."""
    workers = _opt(options, "workers")
    if workers is not None:
        return validate_workers(workers, "--workers")
    processes = _opt(options, "processes")
    if processes is not None:
        if int(processes) == -1:
            return os.cpu_count() or 1
        return validate_workers(processes, "--processes")
    if settings.workers is not None:
        return settings.workers
    return os.cpu_count() or 1


def resolve_profile(options: argparse.Namespace, settings: Settings, users: int | None) -> Profile | None:
    """The named profile (flag, environment, locust.conf), else config.toml's default unless ``-u`` asks for
    flat users."""
    name = _opt(options, "load_profile")
    if name:
        return settings.profile(name)
    if users is not None:
        return None
    return settings.profile(settings.default_profile) if settings.default_profile else None


def distributed_fields(options: argparse.Namespace) -> dict[str, Any]:
    """Locust's distributed options as RunPlan fields: by default no external workers and a loopback
    master on a free port (Locust's 5557 once external workers are expected)."""
    expect = _opt(options, "expect_workers")
    expect_workers = validate_workers(expect, "--expect-workers") if expect is not None else 0
    max_wait = _opt(options, "expect_workers_max_wait")
    if max_wait is None:
        max_wait_s = DEFAULT_EXPECT_WORKERS_MAX_WAIT_S
    elif float(max_wait) <= 0:
        max_wait_s = float("inf")  # Locust's 0: wait for ever
    else:
        max_wait_s = float(max_wait)
    port = _opt(options, "master_bind_port")
    if port is not None and (not str(port).isdigit() or not 0 < int(port) < 65536):
        raise UserError(f"--master-bind-port: expected a port from 1 to 65535, got {port!r}")
    host = _opt(options, "master_bind_host")
    return {
        "expect_workers": expect_workers,
        "expect_workers_max_wait_s": max_wait_s,
        "master_bind_host": "0.0.0.0" if host == "*" else (host or "127.0.0.1"),
        "master_bind_port": int(port) if port is not None else (LOCUST_MASTER_PORT if expect_workers else 0),
    }


def _user_classes(options: argparse.Namespace) -> tuple[str, ...]:
    names = [*(_opt(options, "user_classes") or ()), *(_opt(options, "user_class") or ())]
    return tuple(dict.fromkeys(names))


def _target_pid(value: object) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) <= 0:
        raise UserError(f"--target-pid: expected a process id such as 4242, got {value!r}")
    return int(text)


def arrival_plan(
    options: argparse.Namespace, profile: Profile | None, users: int | None
) -> ArrivalPlan | None:
    """``--arrival-rate`` (a constant target), else the profile's ``arrival_rate`` or rate stages; with
    ``--max-users`` (the pool's ceiling, not below the initial pool) and ``--arrival-poisson``."""
    rate_opt = _opt(options, "arrival_rate")
    max_opt = _opt(options, "max_users")
    poisson = bool(_opt(options, "arrival_poisson"))
    own = profile.arrival if profile is not None else None
    if rate_opt is None and own is None:
        if max_opt is not None or poisson:
            flag = "--max-users" if max_opt is not None else "--arrival-poisson"
            raise UserError(f"{flag} belongs to arrival-rate mode: add --arrival-rate N (or a rate profile)")
        return None
    max_users = (
        validate_users(max_opt, "--max-users") if max_opt is not None else (own.max_users if own else None)
    )
    pool = users if users is not None else (profile.users if profile is not None else None)
    if max_users is not None and pool is not None and max_users < pool:
        raise UserError(f"--max-users: the ceiling {max_users} is below the initial pool of {pool} users")
    if rate_opt is not None:
        rate = validate_arrival_rate(rate_opt, "--arrival-rate")
        return ArrivalPlan(rate=rate, max_users=max_users, poisson=poisson or bool(own and own.poisson))
    assert own is not None
    return replace(ArrivalPlan.of(own), max_users=max_users, poisson=poisson or own.poisson)


def build_plan(
    options: argparse.Namespace,
    settings: Settings,
    locustfiles: Sequence[Path],
    *,
    command_line: tuple[str, ...] = (),
    parsed_options: argparse.Namespace | None = None,
    custom_args: tuple[CustomArgument, ...] = (),
) -> RunPlan:
    """The run plan for ``locustfiles`` (the first is the scenario the run is named after)."""
    if not locustfiles:
        raise ScenarioError("no locustfile to run: pass -f PATH or --scenario NAME")
    paths = tuple(Path(p).resolve() for p in locustfiles)
    users_opt = _opt(options, "num_users")
    users = validate_users(users_opt, "-u/--users") if users_opt is not None else None
    rate_opt = _opt(options, "spawn_rate")
    rate = validate_spawn_rate(rate_opt, "-r/--spawn-rate") if rate_opt is not None else None
    run_time = _opt(options, "run_time")
    duration = float(run_time) if run_time is not None else None
    if duration is not None and duration <= 0:
        raise UserError(f"-t/--run-time: the duration must be more than 0 seconds, got {run_time!r}")
    profile = resolve_profile(options, settings, users)
    shape_name = _opt(options, "shape_name")
    host_opt = _opt(options, "host") or settings.host
    metrics_url = _opt(options, "metrics_url")
    stop_timeout = _opt(options, "stop_timeout")
    return RunPlan(
        scenario_path=paths[0],
        locustfiles=paths,
        use_scenario_shape=shape_name is not None or not _opt(options, "load_profile"),  # Locust runs a shape
        shape_name=shape_name,
        host=validate_target_url(host_opt, "--host") if host_opt else None,
        users=users,
        spawn_rate=rate,
        duration_s=duration,
        profile=profile,
        workers=resolve_workers(options, settings),
        tags=tuple(_opt(options, "tags") or ()),
        exclude_tags=tuple(_opt(options, "exclude_tags") or ()),
        user_classes=_user_classes(options),
        stop_timeout_s=float(stop_timeout or 0),
        command_line=command_line,
        target_pid=_target_pid(_opt(options, "target_pid")),
        target_process=(_opt(options, "target_process") or "").strip() or None,
        metrics_url=validate_metrics_url(metrics_url, "--metrics-url") if metrics_url else None,
        health_path=_opt(options, "health_path"),
        parsed_options=parsed_options,
        arrival=arrival_plan(options, profile, users),
        custom_args=custom_args,
        **distributed_fields(options),
    )
