"""Preparing a load session, one step a function: the host, the Environment, the master and its workers,
the target's preflight and the resource monitor. ``LoadSession.prepare`` calls them in order and keeps
what each returns (so that ``close`` can stop whatever had started when a later step fails)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import locust
from locust.env import Environment
from locust.runners import MasterRunner

from perfconsole.config import Profile, Settings
from perfconsole.engine.locustfiles import class_hosts
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.scenario import LoadedScenario
from perfconsole.engine.workers.argv import worker_locust_args
from perfconsole.engine.workers.local import LocalWorkers
from perfconsole.engine.workers.output import OperatorLog
from perfconsole.engine.workers.wait import advertised_address, wait_for_workers, worker_command
from perfconsole.errors import UserError
from perfconsole.hosts import dial_address, validate_target_url
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.resources.options import ResourceOptions

if TYPE_CHECKING:
    from perfconsole.demo_target.process import DemoTargetProcess


@dataclass(frozen=True, slots=True)
class HostChoice:
    """Where the users send their requests."""

    host: str
    """The URL shown and checked (the first user class's own host when every class names one)."""
    environment_host: str | None
    """The Environment's host: None when every user class keeps its own."""
    demo_target: DemoTargetProcess | None = None
    """Started here when no host was given anywhere."""


def choose_host(plan: RunPlan, settings: Settings, scenario: LoadedScenario) -> HostChoice:
    """--host, else config.toml's host, else the user classes' own hosts, else the demo target (started)."""
    host = plan.host or settings.host
    own_hosts = class_hosts(scenario.user_classes)
    if host:
        url = validate_target_url(host, "--host" if plan.host else "run.host")
        return HostChoice(url, url)
    if own_hosts:  # every user class names its host: Locust uses them (each keeps its own), no demo target
        return HostChoice(validate_target_url(own_hosts[0], "a user class's host"), None)
    from perfconsole.demo_target.process import start_demo_target

    demo_target = start_demo_target(**plan.demo_target_options)
    return HostChoice(demo_target.url, demo_target.url, demo_target)


def preflight(plan: RunPlan, settings: Settings, host: str) -> None:
    """The target answers (and its health path is 2xx) before any worker or user starts."""
    from perfconsole.resources.preflight import preflight as check

    options = settings.resources
    health_path = plan.health_path or options.health_path
    check(host, health_path=health_path, timeout_s=options.preflight_timeout_s)


def worker_count(plan: RunPlan, settings: Settings) -> int:
    """Local worker processes: --workers, else config.toml's, else one per CPU core."""
    workers = plan.workers if plan.workers is not None else settings.workers
    count = (os.cpu_count() or 1) if workers is None else workers
    if count < 0:
        raise UserError(f"--workers must be 0 or more, got {count}")
    return count


def locustfiles(plan: RunPlan) -> tuple[Path, ...]:
    files = tuple(Path(f).resolve() for f in plan.locustfiles)
    return files or (Path(plan.scenario_path).resolve(),)


def run_label(plan: RunPlan, profile: Profile | None) -> str | None:
    """Locust's ``--profile`` (a label grouping runs, in its report), else the load profile's name."""
    label = vars(plan.parsed_options).get("profile") if plan.parsed_options else None
    return str(label) if label else (profile.name if profile else None)


def reset_stats(plan: RunPlan) -> bool:
    return bool(getattr(plan.parsed_options, "reset_stats", False))


def build_environment(
    plan: RunPlan, scenario: LoadedScenario, host: str | None, label: str | None
) -> Environment:
    files = locustfiles(plan)
    return Environment(
        user_classes=list(scenario.user_classes.values()),
        events=locust.events,
        host=host,
        stop_timeout=plan.stop_timeout_s,
        tags=list(plan.tags) or None,
        exclude_tags=list(plan.exclude_tags) or None,
        locustfile=files[0].name,
        parsed_locustfiles=[str(f) for f in files],
        available_shape_classes={type(s).__name__: s for s in scenario.shapes},
        parsed_options=plan.parsed_options,
        reset_stats=reset_stats(plan),
        profile=label,
    )


def create_master(env: Environment, plan: RunPlan) -> MasterRunner:
    """The master listening for workers on the plan's address."""
    bind, port = plan.master_bind_host, plan.master_bind_port
    try:
        return env.create_master_runner(bind, port)
    except SystemExit:  # Locust exits when the port is taken
        raise UserError(f"cannot listen for workers on {bind}:{port}: address in use?") from None


def local_workers(plan: RunPlan, master_port: int, count: int, log: OperatorLog) -> LocalWorkers:
    """Worker processes on this machine for the master (not started yet)."""
    return LocalWorkers(
        locustfiles=locustfiles(plan),
        master_port=master_port,
        count=count,
        locust_args=worker_locust_args(plan),
        master_host=dial_address(plan.master_bind_host),
        log=log,
        **worker_logging(plan),
    )


def worker_logging(plan: RunPlan) -> dict[str, Any]:
    """Locust's --loglevel/--logfile/--skip-log-setup for local workers: a headless run's own (INFO unless
    given), as Locust's --processes pass theirs; the console keeps workers' log to warnings (its log view)."""
    options = plan.parsed_options
    if options is None or not getattr(options, "headless", False):
        return {}
    return {
        "loglevel": getattr(options, "loglevel", None) or "INFO",
        "logfile": getattr(options, "logfile", None),
        "skip_log_setup": bool(getattr(options, "skip_log_setup", False)),
    }


def connect_workers(
    runner: MasterRunner,
    plan: RunPlan,
    expected: int,
    external: int,
    workers: LocalWorkers | None,
    report: Callable[[str], None],
) -> None:
    """Block (cooperatively) until every expected worker is connected; with external workers, ``report``
    says how to start them."""
    command = (
        worker_command(
            locustfiles(plan),
            advertised_address(plan.master_bind_host),
            runner.server.port,
            worker_locust_args(plan, shown=True),
        )
        if external
        else None
    )
    wait_for_workers(
        runner,
        expected,
        plan.expect_workers_max_wait_s,
        command=command,
        report=report,
        local_failure=lambda: _local_workers_failure(workers),
        local_tail=lambda: workers.log_tail(3) if workers is not None else "",
    )


def _local_workers_failure(workers: LocalWorkers | None) -> str | None:
    if workers is not None and workers.processes and len(workers.exited()) == len(workers.processes):
        return f"all {workers.count} worker process(es) exited before connecting: {workers.log_tail()}"
    return None


def resource_monitor(
    plan: RunPlan,
    settings: Settings,
    host: str,
    demo_target: DemoTargetProcess | None,
    local_worker_pids: Sequence[int],
) -> ResourceMonitor:
    """The monitor of the target (the demo target's process and metrics out of the box) and the generator."""
    options = ResourceOptions.from_settings(settings)
    changes: dict[str, Any] = {}
    if plan.metrics_url:
        changes["metrics_url"] = plan.metrics_url
    elif not options.metrics_url and demo_target is not None:
        changes["metrics_url"] = f"{demo_target.url}/metrics"  # the demo target's, out of the box
    if plan.target_pid is not None:
        changes["target_pid"] = plan.target_pid
    elif demo_target is not None and not plan.target_process:
        changes["target_pid"] = demo_target.pid
    if plan.target_process:
        changes["target_name"] = plan.target_process
    return ResourceMonitor(
        replace(options, **changes),
        host_url=host,
        local_worker_pids=local_worker_pids,
        console_pid=os.getpid(),
    )
