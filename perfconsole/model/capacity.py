"""A capacity search's steps and answers: the SLO capacity, the throughput knee, the binding limit. Pure data.

A search moves one control variable (the arrival rate, or the user count) in steps; each step is judged on
its own figures (settle time excluded) against the thresholds in force and the measurement's validity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from perfconsole.model.percentiles import Percentiles


class SearchMode(StrEnum):
    RATE = "rate"
    """The arrival rate (iterations/s, open model)."""
    USERS = "users"
    """The user count (closed model)."""

    @property
    def unit(self) -> str:
        return "/s" if self is SearchMode.RATE else " users"


class StepPhase(StrEnum):
    GROW = "grow"
    """Start low, grow until the first failing step."""
    REFINE = "refine"
    """Between the last passing and the first failing level, down to the resolution."""
    CONFIRM = "confirm"
    """The best passing level held for the confirmation time."""


class SearchState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    """Found (or the maximum passed, or even the lowest level failed: ``capacity`` says which)."""
    PARTIAL = "partial"
    """Stopped before its end: the steps so far are kept, the answers are provisional."""
    SATURATED = "saturated"
    """The load generator was the limit: no capacity of the target is reported."""


@dataclass(frozen=True, slots=True)
class EndpointFigures:
    """One endpoint's (or the total's) own figures over one step."""

    method: str
    name: str
    requests: int
    failures: int
    percentiles: Percentiles

    @property
    def key(self) -> str:
        return f"{self.method} {self.name}".strip()

    @property
    def error_pct(self) -> float:
        return self.failures / self.requests * 100 if self.requests else 0.0


INVALID_METRIC = "invalid"
"""A :class:`Breach` that is a validity reason (its ``endpoint`` holds the reason)."""


@dataclass(frozen=True, slots=True)
class Breach:
    """A limit a step broke: ``endpoint`` ``metric`` ``actual`` against ``limit``."""

    endpoint: str
    metric: str
    """``p50``, ``p95``, ``p99``, ``error_rate``, ``dropped`` or ``invalid`` (a validity reason)."""
    actual: float | None
    limit: float | None

    @property
    def ratio(self) -> float:
        """How far over its limit (1.0: at it); invalid measurements rank first."""
        if self.actual is None or not self.limit:
            return float("inf")
        return self.actual / self.limit

    @property
    def text(self) -> str:
        if self.metric == INVALID_METRIC:
            return self.endpoint
        if self.actual is None or self.limit is None:
            return f"{self.endpoint} {self.metric}".strip()
        unit = " ms" if self.metric in ("p50", "p95", "p99") else " %"
        return f"{self.endpoint} {self.metric} {self.actual:.0f}{unit} > {self.limit:g}{unit}"


@dataclass(frozen=True, slots=True)
class CapacityStep:
    """One level held: its settle excluded, its own figures, and the verdict."""

    index: int
    """1-based position in the search."""
    phase: StepPhase
    level: float
    """The offered load: iterations/s (rate) or users."""
    start_s: float
    """Run time the level was set (the settle starts)."""
    measure_start_s: float
    end_s: float
    """The measured part: the run times of the whole seconds its requests were counted in (its req/s is
    over them)."""
    total: EndpointFigures
    endpoints: tuple[EndpointFigures, ...] = ()
    breaches: tuple[Breach, ...] = ()
    invalid: tuple[str, ...] = ()
    """Validity reasons (generator saturated or lagging, worker lost, dropped iterations, few requests)."""
    generator_limited: bool = False
    """One of ``invalid`` says the load generator, not the target, was the limit."""
    achieved_rate: float | None = None
    """Rate mode: iterations started per second."""
    dropped_pct: float | None = None
    users: int = 0
    limit_ratio: float | None = None
    """The step's figure closest to its limit, against that limit (p95 50 ms of 200: 0.25; 1.0: at it);
    None: no limit had figures. What a margin-scaled search grows by."""

    @property
    def passed(self) -> bool:
        return not self.breaches and not self.invalid

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.measure_start_s)

    @property
    def rps(self) -> float:
        """Achieved requests per second over the measured part."""
        return self.total.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def p95_ms(self) -> float | None:
        return self.total.percentiles.p95

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else ("invalid" if self.invalid else "fail")

    def line(self, unit: str = "/s") -> str:
        """``step 6: 240/s -> 238 req/s, p95 180 ms ✓`` (``✗ /api/login p95 620 ms > 500 ms`` when failed)."""
        p95 = f"{self.p95_ms:.0f} ms" if self.p95_ms is not None else "-"
        head = f"step {self.index}: {self.level:g}{unit} -> {self.rps:.0f} req/s, p95 {p95}"
        if self.passed:
            return f"{head} ✓"
        why = self.invalid[0] if self.generator_limited or not self.breaches else self.breaches[0].text
        return f"{head} ✗ {why}"


@dataclass(frozen=True, slots=True)
class Knee:
    """Where more load stopped adding throughput while latency climbed."""

    level: float
    rps: float
    """The throughput ceiling reached (the highest achieved req/s at or past the knee)."""
    p95_ms: float | None
    text: str


@dataclass(frozen=True, slots=True)
class BindingLimit:
    """What broke first: at the first failing step, the limit broken furthest."""

    step: int
    level: float
    breach: Breach
    side: str
    """``target`` or ``generator``."""

    @property
    def text(self) -> str:
        return f"{self.breach.text} at step {self.step} ({self.level:g}); limited by the {self.side}"


@dataclass(frozen=True, slots=True)
class CapacityResult:
    """A search so far (``state`` RUNNING) or over (DONE, PARTIAL, SATURATED)."""

    mode: SearchMode
    state: SearchState
    steps: tuple[CapacityStep, ...]
    capacity: float | None = None
    """The SLO capacity: the highest level that met every threshold (confirmed when ``confirmed``)."""
    capacity_rps: float | None = None
    """Achieved req/s at the SLO capacity (what ``--require-capacity`` compares)."""
    confirmed: bool = False
    stepped_down: bool = False
    """A confirmation hold failed: the capacity was stepped down below it."""
    knee: Knee | None = None
    binding: BindingLimit | None = None
    resolution_pct: float = 5.0
    slo: str = ""
    """The thresholds the steps were judged against, one line."""
    notes: tuple[str, ...] = field(default=())
    """Why it ended and what to make of it (maximum reached, lowest step failed, stepped down ...)."""
    started_s: float = 0.0
    ended_s: float = 0.0

    @property
    def partial(self) -> bool:
        return self.state is SearchState.PARTIAL

    @property
    def duration_s(self) -> float:
        return max(0.0, self.ended_s - self.started_s)

    @property
    def answer(self) -> str:
        """One line: the SLO capacity (or why there is none)."""
        unit = self.mode.unit
        if self.state is SearchState.SATURATED:
            return "no capacity: the load generator saturated before the target (see the binding limit)"
        if self.capacity is None:
            return "no capacity found: " + (self.notes[0] if self.notes else "no step passed")
        confirmed = "confirmed" if self.confirmed else "not confirmed"
        rps = f" ({self.capacity_rps:.0f} req/s)" if self.capacity_rps is not None else ""
        partial = " [partial: search stopped]" if self.partial else ""
        return f"SLO capacity {self.capacity:g}{unit}{rps}, {confirmed}{partial}"
