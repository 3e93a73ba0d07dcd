"""What the console needs from a load session (perfconsole.engine.session.LoadSession implements it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from perfconsole.config import Profile, Settings, SpikeDrill
from perfconsole.engine.plan import CustomArgument
from perfconsole.model.capacity import CapacityResult, SearchMode, StepPhase
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import Annotation, HistoryPoint, RunSnapshot
from perfconsole.model.run_events import RunEvent
from perfconsole.model.run_warnings import RunWarning
from perfconsole.model.stages import StageStats
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.verdicts.run_noise import RunNoise


class Verdict(Protocol):
    """perfconsole.verdicts.drills.RecoveryVerdict as the console reads it."""

    @property
    def text(self) -> str: ...
    @property
    def recovered(self) -> bool: ...


class RateDial(Protocol):
    """perfconsole.engine.arrival.dial.ArrivalDial as the console uses it."""

    def set_rate(self, rate: float) -> None: ...
    def leave(self) -> None: ...


class StepInProgress(Protocol):
    """perfconsole.engine.search.driver.StepProgress as the console reads it."""

    @property
    def index(self) -> int: ...
    @property
    def phase(self) -> StepPhase: ...
    @property
    def level(self) -> float: ...
    @property
    def settling(self) -> bool: ...


class SearchControl(Protocol):
    """perfconsole.engine.search.driver.CapacitySearch as the console uses it."""

    def start(self, mode: SearchMode | None = None) -> None: ...
    def stop(self, reason: str = "stopped by operator") -> None: ...
    @property
    def running(self) -> bool: ...
    def result(self) -> CapacityResult | None:
        """The search so far (or its answer); None: no search in this run."""
        ...

    def progress(self) -> StepInProgress | None: ...


class ConsoleSession(Protocol):
    """The engine's LoadSession as the console uses it, all of it: blocking calls (``prepare``, ``settle``,
    ``close``) go through ``run_blocking``. The test doubles in tests/fakes.py implement it too."""

    @property
    def monitor(self) -> ResourceMonitor | None:
        """The resource sampler (None when sampling is off)."""
        ...

    @property
    def status_listeners(self) -> list[Callable[[str], None]]:
        """Called with progress lines while preparing (e.g. how to start external workers)."""
        ...

    @property
    def run_listeners(self) -> list[Callable[[RunEvent], None]]:
        """Called with the run's lifecycle events (started, stage changed, stopped) from greenlets."""
        ...

    @property
    def resource_sample(self) -> ResourceSample | None:
        """The latest resource sample (None until the first tick)."""
        ...

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
    def arrival(self) -> RateDial:
        """The arrival-rate dial (its live figures come in the snapshot)."""
        ...

    @property
    def search(self) -> SearchControl:
        """The capacity search (its steps and answers so far)."""
        ...

    @property
    def warnings(self) -> tuple[RunWarning, ...]: ...
    @property
    def active_shape(self) -> str | None:
        """The shape the run follows now (a locustfile's LoadTestShape or a staged profile), or None."""
        ...

    def output_tail(self, count: int) -> list[str]:
        """The operator log's last lines: workers' output and Locust's warnings, prefixed by source."""
        ...

    def live_noise(self, window: bool) -> RunNoise | None:
        """The run so far as a live comparison's noise (``window``: the current window's requests)."""
        ...


@dataclass(frozen=True, slots=True)
class LaunchChoice:
    """What the start screen hands over: its fields, which override the command line's options."""

    scenario_path: Path
    profile: str | None = None
    host: str | None = None
    """None: config.toml's host, else the engine starts the demo target."""
    workers: int | None = None
    """None: config.toml's count, else one per CPU core; 0: users run in the console process."""
    user_classes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    target_pid: int | None = None
    """The target's process to watch (None: the command line's, else the process on the host's port)."""
    target_process: str | None = None
    """The target's process by name (None: the command line's, else by pid or port)."""
    metrics_url: str | None = None
    """The target's Prometheus endpoint (None: the command line's, else config or the demo target's)."""
    run_name: str | None = None
    """The name the run is saved with (None: unnamed)."""
    search: str | None = None
    """A capacity search to start once the run is up (``rate``, ``users``), else None."""


SessionFactory = Callable[[LaunchChoice], ConsoleSession]
PlanSources = Callable[[Path], tuple[tuple[Path, ...], argparse.Namespace | None, tuple[CustomArgument, ...]]]
"""For a chosen scenario: every locustfile of the run, Locust's parsed options (custom arguments included)
and those custom arguments as a worker's command line."""


def choice_options(choice: LaunchChoice, base: argparse.Namespace | None = None) -> argparse.Namespace:
    """The command line's options (``base``) with the start screen's fields over them."""
    from perfconsole.tui.shape_choices import search_of, shape_of

    values: dict[str, Any] = dict(vars(base)) if base is not None else {}
    shape = shape_of(choice.profile)  # "shape: NAME": the locustfile's own shape, not a config.toml profile
    own_profile = shape is None and search_of(choice.profile) is None
    values.update(
        host=choice.host,
        profile=choice.profile if own_profile else None,
        shape_name=shape,
        workers=choice.workers,
        processes=None,
        user_classes=list(choice.user_classes),
        user_class=[],
        tags=list(choice.tags),
        exclude_tags=list(choice.exclude_tags),
    )
    for name in ("target_pid", "target_process", "metrics_url"):
        value = getattr(choice, name)
        if value is not None:
            values[name] = value
    return argparse.Namespace(**values)


def engine_session_factory(
    settings: Settings, options: argparse.Namespace | None = None, sources: PlanSources | None = None
) -> SessionFactory:
    """A factory that plans a run from a choice through the one plan builder (the same as headless runs)
    and builds the engine's LoadSession (imported lazily). ``options``: the command line's parsed options;
    ``sources``: the locustfiles and Locust's parsed options for a chosen scenario."""

    def build(choice: LaunchChoice) -> ConsoleSession:
        from perfconsole.engine.plan_builder import build_plan
        from perfconsole.engine.session import LoadSession

        locustfiles, parsed, custom = (
            sources(choice.scenario_path) if sources else ((choice.scenario_path,), None, ())
        )
        plan = build_plan(
            choice_options(choice, options),
            settings,
            locustfiles,
            command_line=("perfconsole", *sys.argv[1:]),
            parsed_options=parsed,
            custom_args=custom,
        )
        session: ConsoleSession = LoadSession(plan, settings)
        return session

    return build
