"""A load session's state and the reads every part of it shares: annotations, the run's clock, warnings,
the time series. ``LoadSession`` (engine/session.py) builds on it through ``RunControl``
(engine/control.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
from locust.env import Environment
from locust.runners import LocalRunner, MasterRunner

from perfconsole.config import Profile, Settings
from perfconsole.engine import preparation
from perfconsole.engine.cardinality import EndpointFold
from perfconsole.engine.events import Lifecycle
from perfconsole.engine.hdr.hooks import HdrStats
from perfconsole.engine.hdr.stages import StageKey, stage_key
from perfconsole.engine.history import RunHistory
from perfconsole.engine.locust_log import LocustLog
from perfconsole.engine.plan import RunPlan
from perfconsole.engine.scenario import LoadedScenario
from perfconsole.engine.workers.local import LocalWorkers
from perfconsole.engine.workers.output import OperatorLog
from perfconsole.errors import UserError
from perfconsole.model.resources import ResourceSample
from perfconsole.model.run import AGGREGATED, Annotation, HistoryPoint, RunState
from perfconsole.model.run_warnings import RunWarning
from perfconsole.resources.monitor import ResourceMonitor
from perfconsole.verdicts.drills import RecoveryVerdict

if TYPE_CHECKING:
    from locust import LoadTestShape

    from perfconsole.demo_target.process import DemoTargetProcess


class SessionCore:
    """Owns the Environment, the runner, local workers and (when no host is given) the demo target."""

    def __init__(self, plan: RunPlan, settings: Settings) -> None:
        self.plan = plan
        self.settings = settings
        self.profile: Profile | None = plan.profile
        self.state = RunState.PREPARING
        self.env: Environment | None = None
        self.runner: LocalRunner | MasterRunner | None = None
        self.scenario: LoadedScenario | None = None
        self.demo_target: DemoTargetProcess | None = None
        self.local_workers: LocalWorkers | None = None
        self.host = ""
        self.worker_count = 0
        self.started_at = 0.0
        self.ended_at = 0.0
        self.duration_s: float | None = None
        self.spike_verdict: RecoveryVerdict | None = None
        self.monitor: ResourceMonitor | None = None
        self.resource_sample: ResourceSample | None = None
        """The latest resource sample (None until the first tick, or when sampling is off)."""
        self._warnings: list[RunWarning] = []
        self._t0 = 0.0
        self._stopped_elapsed: float | None = None
        self._history = RunHistory()
        self._annotations: list[Annotation] = []
        self._target_users = 0
        self._max_target = 0
        self._spawn_rate = 1.0
        self._paused_at: tuple[int, float] | None = None
        self._spike: tuple[float, float, float] | None = None  # start, end, observe-until (elapsed s)
        self._greenlets: list[gevent.Greenlet] = []
        self._start_greenlet: gevent.Greenlet | None = None
        self._deadline: gevent.Greenlet | None = None
        self._spike_greenlet: gevent.Greenlet | None = None
        self.endpoint_fold: EndpointFold | None = None
        self._uninstall_fold: Callable[[], None] = lambda: None
        self.output_log = OperatorLog()
        """Workers' output and Locust's warnings for the operator (log view, stderr, workers.log)."""
        self._log = LocustLog(self.output_log)
        self._closed = False
        self.listeners: list[Callable[[Annotation], None]] = []
        """Called with every new annotation (from the engine's greenlets)."""
        self.status_listeners: list[Callable[[str], None]] = []
        """Called with progress lines while preparing (e.g. how to start external workers)."""
        self.master_port: int | None = None
        self.hdr: HdrStats | None = None
        """Exact percentiles (HdrHistograms merged from every load process)."""
        self.process_exit_code: int | None = None
        """``environment.process_exit_code`` as the ``quitting`` hooks left it (None: not set)."""
        self.lifecycle: Lifecycle | None = None
        self._stop_greenlet: gevent.Greenlet | None = None
        self._manual = False

    # ----------------------------------------------------------------------------- annotations, clock
    def annotate(self, text: str, kind: str = "note") -> Annotation:
        note = Annotation(
            elapsed_s=round(self.elapsed_s, 1), text=" ".join(text.split()), kind=kind, timestamp=time.time()
        )
        self._annotations.append(note)
        for listener in list(self.listeners):
            listener(note)
        return note

    @property
    def elapsed_s(self) -> float:
        if not self._t0:
            return 0.0
        if self._stopped_elapsed is not None:
            return self._stopped_elapsed
        return time.monotonic() - self._t0

    # ----------------------------------------------------------------------------- reads
    @property
    def locustfiles(self) -> tuple[Path, ...]:
        return preparation.locustfiles(self.plan)

    @property
    def history(self) -> tuple[HistoryPoint, ...]:
        return tuple(self._history.points)

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return tuple(self._annotations)

    def output_tail(self, count: int) -> list[str]:
        """The operator log's last lines: workers' output and Locust's warnings, prefixed by source."""
        return self.output_log.tail(count)

    @property
    def worker_pids(self) -> list[int]:
        return self.local_workers.pids if self.local_workers else []

    @property
    def active_shape(self) -> str | None:
        """The shape the run follows now (a locustfile's class name or a staged profile's name), or None."""
        shape = self.env.shape_class if self.env else None
        return shape_title(shape) if shape is not None else None

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    @property
    def warnings(self) -> tuple[RunWarning, ...]:
        """Reasons the figures may be unreliable (generator saturation ...), one line each."""
        return tuple(self._warnings)

    @property
    def csv_history_rows(self) -> list[list[Any]]:
        """Rows of Locust's ``_stats_history.csv`` recorded each second of the run."""
        return list(self._history.csv_rows)

    # ----------------------------------------------------------------------------- shared internals
    def _require_runner(self) -> LocalRunner | MasterRunner:
        if self.runner is None:
            raise UserError("the session is not prepared")
        return self.runner

    def _require_running(self) -> None:
        self._require_runner()
        if not self.state.is_live:
            raise UserError(f"no run in progress (state: {self.state})")

    def _status(self, line: str) -> None:
        for listener in list(self.status_listeners):
            listener(line)

    def _announce(self, line: str, kind: str) -> None:
        self.annotate(line, kind=kind)
        self._status(line)  # stderr in headless runs, the message line in the console

    def _add_warning(self, warning: RunWarning) -> None:
        if warning not in self._warnings:
            self._warnings.append(warning)

    def stage_key(self) -> StageKey | None:
        """The stage the run is in now (for the figures per stage)."""
        shape = self.env.shape_class if self.env else None
        shape_label: str | None = None
        if shape is not None:
            describe = getattr(shape, "current_label", None)  # perfconsole's staged profiles name their stage
            label = describe() if callable(describe) else None
            users = self.runner.target_user_count if self.runner is not None else 0
            shape_label = str(label) if label is not None else f"{type(shape).__name__}: {users} users"
        drill = self._spike_greenlet
        return stage_key(
            live=self.state.is_live,
            users=self._target_users,
            drill_running=drill is not None and not drill.dead,
            after_drill=self._spike is not None and self.spike_verdict is None,
            shape_label=shape_label,
        )

    def _stage_label(self) -> str | None:
        shape = self.env.shape_class if self.env else None
        if shape is None:
            return "manual" if self._manual else None
        describe = getattr(shape, "current_label", None)
        if callable(describe):
            label = describe()
            return str(label) if label is not None else None
        return type(shape).__name__

    def _record_sample(self) -> None:
        runner, env = self.runner, self.env
        if runner is None or env is None or not self._t0:
            return
        full = bool(getattr(self.plan.parsed_options, "stats_history_enabled", False))  # --csv-full-history
        self._history.record(env, self.elapsed_s, self._current_total_percentiles(runner.stats.total), full)

    def _current_total_percentiles(self, total: Any) -> tuple[float | None, float | None, float | None]:
        """p50, p95, p99 of the current window: the histograms' (Locust's if there are none)."""
        if self.hdr is not None:
            self.hdr.flush()
            p50, _p90, p95, p99, *_rest = self.hdr.current("", AGGREGATED)
            return p50, p95, p99
        p = total.get_current_response_time_percentile if total.num_requests else None
        return (float(p(0.5)), float(p(0.95)), float(p(0.99))) if p else (None, None, None)

    def _note_fallback(self) -> None:
        note = self.hdr.fallback_note() if self.hdr is not None else None
        if note and note not in self._warnings:
            self._warnings.append(note)
            self.annotate(note.text, kind="warning")


def shape_title(shape: LoadTestShape) -> str:
    name = getattr(shape, "profile_name", None)
    return str(name) if name else type(shape).__name__


def shape_duration(shape: LoadTestShape) -> float | None:
    total = getattr(shape, "duration_s", None)
    return float(total) if isinstance(total, int | float) else None
