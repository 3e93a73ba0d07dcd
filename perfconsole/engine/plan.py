"""What a run is asked to do: the plan the plan builder makes and the session runs."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfconsole.config import Profile
from perfconsole.engine.arrival.plan import ArrivalPlan

WORKER_CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class CustomArgument:
    """One of the locustfiles' custom arguments (``events.init_command_line_parser``) as given to this run,
    in a form a worker's command line takes (its value from any source: command line, config file ...)."""

    tokens: tuple[str, ...]
    """E.g. ``("--my-argument=hello",)`` or ``("--flag",)``."""
    secret: bool = False
    """Declared ``is_secret``: shown masked in the command printed for remote workers."""

    def shown(self) -> tuple[str, ...]:
        if not self.secret:
            return self.tokens
        flag = self.tokens[0].split("=", 1)[0]
        return (flag,) if len(self.tokens) == 1 and "=" not in self.tokens[0] else (f"{flag}=***",)


@dataclass(frozen=True)
class RunPlan:
    """What to run. ``None`` fields fall back to the profile, then to the settings."""

    scenario_path: Path
    locustfiles: tuple[Path, ...] = ()
    """Every locustfile of the run (Locust's ``parse_locustfile_paths``); empty: just ``scenario_path``."""
    host: str | None = None
    """Target base URL; None: the settings' host, else the engine starts the demo target."""
    users: int | None = None
    spawn_rate: float | None = None
    duration_s: float | None = None
    profile: Profile | None = None
    workers: int | None = None
    """None: the settings' value, else one per CPU core; 0: users run in-process (LocalRunner)."""
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    user_classes: tuple[str, ...] = ()
    use_scenario_shape: bool = False
    """Run the locustfile's LoadTestShape (Locust's headless behaviour) when it has one."""
    shape_name: str | None = None
    """Which of the locustfiles' shapes to run (None: the first, as Locust does)."""
    stop_timeout_s: float = 0.0
    demo_target_options: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments for the embedded demo target (latency_ms, error_rate ...)."""
    command_line: tuple[str, ...] = ()
    target_pid: int | None = None
    """The target's process to watch (default: the process listening on a loopback host's port)."""
    target_process: str | None = None
    metrics_url: str | None = None
    """Prometheus text endpoint of the target (default: config, or the demo target's /metrics)."""
    health_path: str | None = None
    resources: bool = True
    """Sample resources (console, workers, system, target) about once a second."""
    expect_workers: int = 0
    """Workers to wait for in all (Locust's --expect-workers). More than the local ``workers``: the rest are
    started elsewhere (other hosts) with ``locust -f FILE --worker --master-host ... --master-port ...``."""
    expect_workers_max_wait_s: float = WORKER_CONNECT_TIMEOUT_S
    master_bind_host: str = "127.0.0.1"
    master_bind_port: int = 0
    """0: a free port (external workers need a known one: Locust's default is 5557)."""
    arrival: ArrivalPlan | None = None
    """Arrival-rate mode (``--arrival-rate``, or a profile's ``arrival_rate`` / rate stages); None: Locust's
    closed model."""
    custom_args: tuple[CustomArgument, ...] = ()
    """The locustfiles' custom arguments with a value other than their default: workers get them on their
    own command line, so that ``init`` on a worker sees them as in Locust."""
    parsed_options: argparse.Namespace | None = None
    """Locust's parsed options (custom arguments included): ``environment.parsed_options`` on the master,
    sent by Locust to every worker with its spawn messages."""
