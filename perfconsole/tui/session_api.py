"""What the console needs from a load session (perfconsole.engine.session.LoadSession implements it)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from perfconsole.config import Profile, Settings, SpikeDrill
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation, HistoryPoint, RunSnapshot
from perfconsole.model.stages import StageStats
from perfconsole.resources.monitor import ResourceMonitor


class Verdict(Protocol):
    """perfconsole.verdicts.drills.RecoveryVerdict as the console reads it."""

    @property
    def text(self) -> str: ...
    @property
    def recovered(self) -> bool: ...


class ConsoleSession(Protocol):
    """The engine's LoadSession as the console uses it, all of it: blocking calls (``prepare``, ``settle``,
    ``close``) go through ``run_blocking``. The test doubles in tests/fakes.py implement it too."""

    status_listeners: list[Callable[[str], None]]
    """Called with progress lines while preparing (e.g. how to start external workers)."""
    monitor: ResourceMonitor | None
    """The resource sampler (None when sampling is off)."""
    resource_sample: ResourceSample | None
    """The latest resource sample (None until the first tick)."""

    def prepare(self) -> None: ...
    def settle(self, timeout_s: float = 10.0) -> None: ...
    def close(self) -> None: ...
    def start(self) -> None: ...
    def set_users(self, users: int, spawn_rate: float | None = None) -> None: ...
    def apply_profile(self, profile: Profile) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> None: ...
    def fire_spike(self, drill: SpikeDrill | None = None) -> None: ...
    def annotate(self, text: str, kind: str = "note") -> Annotation: ...
    def snapshot(self) -> RunSnapshot: ...
    def stages(self) -> tuple[StageStats, ...]: ...
    @property
    def history(self) -> tuple[HistoryPoint, ...]: ...
    @property
    def annotations(self) -> tuple[Annotation, ...]: ...
    @property
    def spike_verdict(self) -> Verdict | None: ...
    @property
    def paused(self) -> bool: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class LaunchChoice:
    """What the start screen hands over: everything needed to plan a run."""

    scenario_path: Path
    profile: str | None = None
    host: str | None = None
    """None: the engine starts the demo target."""
    workers: int | None = None
    """None: one per CPU core; 0: users run in the console process."""
    user_classes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    target_pid: int | None = None
    """The target's process to watch (None: the process listening on the host's port)."""
    target_process: str | None = None
    """The target's process by name (None: by pid or port)."""
    metrics_url: str | None = None
    """The target's Prometheus endpoint (None: config, or the demo target's /metrics)."""
    distributed: dict[str, Any] = field(default_factory=dict)
    """RunPlan fields for workers on other hosts (``expect_workers``, ``master_bind_port`` ...)."""


@dataclass(frozen=True, slots=True)
class LaunchOptions:
    """Command-line options the start screen has no fields for (``--target-pid``, ``--target-process``,
    ``--metrics-url``, the distributed options): the app adds them to the screen's choice."""

    target_pid: int | None = None
    target_process: str | None = None
    metrics_url: str | None = None
    distributed: dict[str, Any] = field(default_factory=dict)

    def complete(self, choice: LaunchChoice) -> LaunchChoice:
        """``choice`` with these options where it has none."""
        return replace(
            choice,
            target_pid=choice.target_pid if choice.target_pid is not None else self.target_pid,
            target_process=choice.target_process or self.target_process,
            metrics_url=choice.metrics_url or self.metrics_url,
            distributed=choice.distributed or self.distributed,
        )


SessionFactory = Callable[[LaunchChoice], ConsoleSession]


def engine_session_factory(settings: Settings) -> SessionFactory:
    """A factory that plans a run from a choice and builds the engine's LoadSession (imported lazily)."""

    def build(choice: LaunchChoice) -> ConsoleSession:
        from perfconsole.engine.session import LoadSession, RunPlan

        profile = settings.profiles.get(choice.profile) if choice.profile else None
        plan = RunPlan(
            scenario_path=choice.scenario_path,
            host=choice.host,
            profile=profile,
            workers=choice.workers,
            tags=choice.tags,
            exclude_tags=choice.exclude_tags,
            user_classes=choice.user_classes,
            target_pid=choice.target_pid,
            target_process=choice.target_process,
            metrics_url=choice.metrics_url,
            command_line=("perfconsole", *sys.argv[1:]),
            **choice.distributed,
        )
        session: ConsoleSession = LoadSession(plan, settings)
        return session

    return build
