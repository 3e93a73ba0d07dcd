"""Immutable snapshots of a load test's live state, shared by every front end.

Pure data: no Locust, no Textual. The engine builds a :class:`RunSnapshot` on demand; the console,
headless mode and the stores read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from perfconsole.model.percentiles import Percentiles

if TYPE_CHECKING:
    from perfconsole.model.arrival import ArrivalRun, ArrivalStatus
    from perfconsole.model.blocks import TimeBlock
    from perfconsole.model.capacity import CapacityResult
    from perfconsole.model.run_end import RunEnd
    from perfconsole.model.run_warnings import RunWarning
    from perfconsole.model.soak import SoakVerdict
    from perfconsole.model.stages import StageStats
    from perfconsole.model.validity import RunValidity

AGGREGATED = "Aggregated"
"""Locust's name for the total row, kept wherever Locust's own files and scripts expect it."""


class RunState(StrEnum):
    """Lifecycle of a load session as a front end sees it."""

    PREPARING = "preparing"  # starting demo target / workers
    READY = "ready"  # workers connected, nothing running
    SPAWNING = "spawning"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"
    QUIT = "quit"

    @property
    def is_live(self) -> bool:
        """Users are being spawned or running: live controls apply."""
        return self in (RunState.SPAWNING, RunState.RUNNING)

    @property
    def is_active(self) -> bool:
        """A run is going (live, or its users are stopping): quitting asks, a save marks it interrupted."""
        return self.is_live or self is RunState.STOPPING


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """Figures of one endpoint (method + name), or of the total (method ``""``, name ``Aggregated``)."""

    method: str
    name: str
    num_requests: int
    num_failures: int
    avg_ms: float
    min_ms: float | None
    max_ms: float
    median_ms: float
    avg_content_length: float
    total_rps: float
    """Requests per second over the whole run."""
    current_rps: float
    """Requests per second over Locust's recent window."""
    current_fail_per_sec: float
    total_fail_per_sec: float
    cumulative: Percentiles
    """Percentiles over the whole run."""
    current: Percentiles
    """Percentiles over exactly the last ``window_s`` seconds (per-second HdrHistograms)."""
    corrected: Percentiles | None = None
    """Whole-run percentiles corrected for coordinated omission (HdrHistogram's expected-interval
    correction), where users paced with constant_pacing/constant_throughput sent requests; else None."""

    @property
    def key(self) -> str:
        """Stable identity for comparisons: ``"GET /api/x"`` (``"Aggregated"`` for the total)."""
        return f"{self.method} {self.name}".strip()

    @property
    def fail_ratio(self) -> float:
        return self.num_failures / self.num_requests if self.num_requests else 0.0


@dataclass(frozen=True, slots=True)
class ErrorStats:
    """A grouped failure: same method, name and error message."""

    method: str
    name: str
    error: str
    occurrences: int


@dataclass(frozen=True, slots=True)
class ExceptionStats:
    """A grouped exception raised in user code."""

    count: int
    msg: str
    traceback: str
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """One Locust worker as the master sees it."""

    id: str
    state: str
    user_count: int
    cpu_percent: float
    memory_bytes: int
    heartbeat_ok: bool
    """False once the master has marked the worker missing."""
    pid: int | None = None


@dataclass(frozen=True, slots=True)
class RunSnapshot:
    """Everything a front end shows at one instant."""

    state: RunState
    elapsed_s: float
    """Seconds since the run started (0 before it starts)."""
    user_count: int
    target_user_count: int
    spawn_rate: float
    host: str
    endpoints: tuple[EndpointStats, ...]
    total: EndpointStats
    errors: tuple[ErrorStats, ...] = ()
    exceptions: tuple[ExceptionStats, ...] = ()
    workers: tuple[WorkerInfo, ...] = ()
    expected_workers: int = 0
    duration_s: float | None = None
    """Planned duration (None: until stopped)."""
    profile: str | None = None
    stage: str | None = None
    """Human label of the current shape stage, e.g. ``"2/4 ramp to 100 @2/s"``."""
    end_reason: str | None = None
    """Why the run ended, once it has (``shape StepLoad ended``, ``duration reached`` ...)."""
    timestamp: float = 0.0
    """Wall-clock time (epoch seconds) of this snapshot."""
    window_s: int = 10
    """Seconds the ``current`` figures cover."""
    arrival: ArrivalStatus | None = None
    """Arrival-rate mode's live reading (None: the closed model)."""

    @property
    def remaining_s(self) -> float | None:
        if self.duration_s is None:
            return None
        return max(0.0, self.duration_s - self.elapsed_s)

    @property
    def ready_worker_count(self) -> int:
        return sum(1 for w in self.workers if w.heartbeat_ok and w.state != "missing")

    @property
    def missing_worker_count(self) -> int:
        return sum(1 for w in self.workers if not w.heartbeat_ok or w.state == "missing")


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One sample of the run's time series (about 1 Hz), what the charts plot."""

    elapsed_s: float
    timestamp: float
    user_count: int
    rps: float
    fail_per_sec: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    total_requests: int = 0
    total_failures: int = 0


@dataclass(frozen=True, slots=True)
class Annotation:
    """A note pinned to the run: typed by the operator or added automatically."""

    elapsed_s: float
    text: str
    kind: str = "note"
    """``note`` (operator), ``users``, ``profile``, ``drill``, ``worker``, ``warning``, ``snapshot``."""
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class ThresholdResult:
    """One threshold checked against one endpoint (or the total)."""

    endpoint: str
    """Endpoint key or ``Aggregated``."""
    metric: str
    """``p50``, ``p95``, ``p99``, ``error_rate``, ``rps`` ..."""
    limit: float
    actual: float | None
    passed: bool
    comparison: str = "<"
    """``<`` the actual must be below the limit; ``>=`` at least the limit; ``=`` equal to it."""

    def describe(self) -> str:
        if self.metric == "error_rate" or self.metric.endswith("_pct"):
            unit = "%"
        elif self.metric == "rps":
            unit = " req/s"
        elif self.metric.endswith("_ms") or self.metric.startswith("p") or self.metric == "avg":
            unit = " ms"
        else:
            unit = ""
        limit = f"(limit {self.comparison} {self.limit:g}{unit})"
        if self.actual is None and self.passed:  # no samples: nothing to check
            return f"no data {self.endpoint} {self.metric} {limit}"
        actual = "n/a" if self.actual is None else f"{self.actual:.4g}{unit}"
        verdict = "ok" if self.passed else "FAIL"
        return f"{verdict} {self.endpoint} {self.metric} {actual} {limit}"


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of a finished (or interrupted) run, what summaries and snapshots are made of."""

    final: RunSnapshot
    history: tuple[HistoryPoint, ...]
    annotations: tuple[Annotation, ...]
    thresholds: tuple[ThresholdResult, ...]
    interrupted: bool
    started_at: float
    ended_at: float
    scenario_path: str
    profile: str | None
    settings: dict[str, object] = field(default_factory=dict)
    """The exact settings used (users, rate, duration, workers, tags ...), plain TOML/JSON types."""
    host: str = ""
    worker_count: int = 0
    command_line: tuple[str, ...] = ()
    resources: dict[str, object] = field(default_factory=dict)
    """Resource samples and peaks (see perfconsole.resources), plain JSON types; empty if not sampled."""
    histograms: dict[str, str] = field(default_factory=dict)
    """Whole-run HdrHistograms (standard base64 encoding) by endpoint key, and each stage's by its
    comparison key (``stage 1: LABEL``); filled when the run is saved."""
    stages: tuple[StageStats, ...] = ()
    """Figures per stage (profile/shape stages, plateaus, spike phases), from the histograms."""
    warnings: tuple[RunWarning, ...] = ()
    """Reasons the figures may be unreliable (e.g. generator CPU saturation), one line each, typed."""
    arrival: ArrivalRun | None = None
    """Arrival-rate mode's whole-run figures (None: a closed-model run)."""
    blocks: tuple[TimeBlock, ...] = ()
    """The total in consecutive time blocks (perfconsole.engine.hdr.blocks): the run's own noise."""
    end: RunEnd | None = None
    """Why the run ended (None: a run saved before perfconsole kept it, or one that never started)."""
    soak: SoakVerdict | None = None
    """The soak verdict of a long run (perfconsole.verdicts.soak); None for a run too short for one."""
    validity: RunValidity | None = None
    """Did it measure the target (perfconsole.verdicts.validity)? None: not stamped (a run saved before)."""
    capacity: CapacityResult | None = None
    """The run's capacity search (perfconsole.engine.search), None: no search in this run."""

    @property
    def thresholds_passed(self) -> bool:
        return all(t.passed for t in self.thresholds)
