"""Turn command-line options into settings and a RunPlan, validating every value with one-line errors.

Shared by the headless ``run`` command and the console; imports neither Locust nor Textual.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from perfconsole.cli.options import distributed_options
from perfconsole.config import (
    Settings,
    load_settings,
    parse_duration,
    validate_duration,
    validate_spawn_rate,
    validate_users,
    validate_workers,
)
from perfconsole.engine.scenario import default_scenarios_dir, resolve_scenario
from perfconsole.engine.session import RunPlan
from perfconsole.errors import UserError
from perfconsole.hosts import validate_metrics_url, validate_target_url


def load_cli_settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(Path(args.settings_path) if getattr(args, "settings_path", None) else None)
    runs_dir = getattr(args, "runs_dir", None)
    if runs_dir:
        settings = replace(settings, runs_dir=Path(runs_dir))
    return settings


def scenario_path(args: argparse.Namespace, settings: Settings) -> Path:
    return locustfile_paths(args, settings)[0]


def locustfile_paths(args: argparse.Namespace, settings: Settings) -> tuple[Path, ...]:
    """``-f`` as Locust reads it (a file, a directory, a comma-separated list), else the scenario."""
    if getattr(args, "locustfile", None):
        from perfconsole.engine.locustfiles import expand_locustfiles

        return expand_locustfiles(args.locustfile)
    name = getattr(args, "scenario", None) or settings.default_scenario
    return (resolve_scenario(name, default_scenarios_dir()),)


def build_plan(args: argparse.Namespace, command_line: tuple[str, ...] = ()) -> tuple[Settings, RunPlan]:
    settings = load_cli_settings(args)
    locustfiles = locustfile_paths(args, settings)
    path = locustfiles[0]
    users = validate_users(args.users, "-u/--users") if args.users is not None else None
    rate = validate_spawn_rate(args.spawn_rate, "-r/--spawn-rate") if args.spawn_rate is not None else None
    duration = validate_duration(args.run_time, "-t/--run-time") if args.run_time is not None else None
    workers = validate_workers(args.workers, "--workers") if args.workers is not None else None
    host = validate_target_url(args.host, "--host") if args.host else None
    profile_name = args.profile or (None if users is not None else settings.default_profile)
    profile = settings.profile(profile_name) if profile_name else None
    target_pid = getattr(args, "target_pid", None)
    if target_pid is not None:
        if not str(target_pid).isdigit() or int(target_pid) <= 0:
            raise UserError(f"--target-pid: expected a process id, got {target_pid!r}")
        target_pid = int(target_pid)
    metrics_url = getattr(args, "metrics_url", None)
    if metrics_url:
        metrics_url = validate_metrics_url(metrics_url, "--metrics-url")
    stop_timeout = parse_duration(getattr(args, "stop_timeout", "0") or "0", "--stop-timeout")
    plan = RunPlan(
        scenario_path=path,
        locustfiles=locustfiles,
        use_scenario_shape=args.profile is None,  # as in Locust, a locustfile's shape runs
        host=host,
        users=users,
        spawn_rate=rate,
        duration_s=duration,
        profile=profile,
        workers=workers,
        tags=tuple(getattr(args, "tags", ()) or ()),
        exclude_tags=tuple(getattr(args, "exclude_tags", ()) or ()),
        user_classes=tuple(getattr(args, "user_class", ()) or ()),
        stop_timeout_s=stop_timeout,
        command_line=command_line,
        target_pid=target_pid,
        target_process=getattr(args, "target_process", None),
        metrics_url=metrics_url,
        health_path=getattr(args, "health_path", None),
        **distributed_options(args),
    )
    return settings, plan
