"""``CapacitySearch``: one search at a time over a live run, driven from a greenlet.

Each step: the level set (the arrival-rate dial, or the user target), ``settle_s`` as a stage of its own
(left out), the measured part as a stage of kind ``search`` (exact histograms in total and per endpoint,
``engine/hdr/stages.py``) for at least ``step_s`` and ``min_requests``, then a short wait for the late
reports (workers report every 3 s) before the step is judged on its own figures against the thresholds in
force and its validity (``verdicts/validity.py``). Listeners get the search so far after every step and at
its end; a stop (or the run's end) keeps the steps and marks the search partial. A search that ends while
the run goes on leaves the load at the capacity it found (else at its start level); one stopped part-way
puts back the load the run had before it (``levels.LoadBefore``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import gevent

from perfconsole.config import Search, Thresholds
from perfconsole.engine.hdr.stages import StageKey
from perfconsole.engine.search.levels import LoadBefore, apply_level
from perfconsole.errors import UserError
from perfconsole.model.capacity import (
    CapacityResult,
    CapacityStep,
    EndpointFigures,
    SearchMode,
    SearchState,
    StepPhase,
)
from perfconsole.model.run import AGGREGATED
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.verdicts.capacity_search import Finish, next_step, rounded, summarize
from perfconsole.verdicts.capacity_step import (
    breaches_of,
    dropped_breach,
    generator_limited,
    limit_ratio,
    slo_text,
    step_checks,
    step_thresholds,
)
from perfconsole.verdicts.validity import Span, ValidityRules, span_validity

if TYPE_CHECKING:
    from perfconsole.engine.control import RunControl
    from perfconsole.engine.session import LoadSession

POLL_S = 0.25
LATE_WORKERS_S = 3.5
"""Wait after a step for its last requests: Locust's workers report every 3 s."""
LATE_LOCAL_S = 1.5
"""In-process runs merge once a second."""
MAX_STEP_FACTOR = 3.0
"""A step too short on requests is held at most this many times ``step_s``."""
RECOVER_MAX_S = 30.0
"""After a failing step, the load drops to the start level until the target has drained its queue (in
rate mode: the busy users back to a few), at least ``settle_s`` and at most this long."""


@dataclass(frozen=True, slots=True)
class StepProgress:
    """The step being held now (for a live line)."""

    index: int
    phase: StepPhase
    level: float
    settling: bool
    since_s: float


class CapacitySearch:
    """A capacity search of one session (inactive until ``start``)."""

    def __init__(self, session: LoadSession, control: RunControl) -> None:
        self._session = session
        self._control = control
        self.listeners: list[Callable[[CapacityResult], None]] = []
        """Called (in the search's greenlet) after each step and once at the end with the search so far."""
        self._greenlet: gevent.Greenlet | None = None
        self._steps: list[CapacityStep] = []
        self._mode = SearchMode.RATE
        self._spec = Search()
        self._thresholds = Thresholds()
        self._result: CapacityResult | None = None
        self._stage: StageKey | None = None
        self._progress: StepProgress | None = None
        self._started_s = 0.0
        self._end_run = False
        self._before: LoadBefore | None = None

    # --------------------------------------------------------------------------- verbs
    def start(
        self, mode: SearchMode | None = None, spec: Search | None = None, end_run: bool = False
    ) -> None:
        """Search from now on (``spec``: the settings' ``[search]``; ``mode``: its mode). ``end_run``: end the
        run when the answer is found (headless). The run's planned duration (``-t``) still bounds it."""
        session = self._session
        session.require_running()
        if self.running:
            raise UserError("a capacity search is running already")
        self._before = LoadBefore.of(session)
        if session.control.shapes.shape is not None:
            session.control.leave_shape("search")
        self._spec = spec or session.settings.search
        self._mode = mode or SearchMode(self._spec.mode)
        self._thresholds = step_thresholds(session.settings.thresholds_for(session.profile))
        self._steps = []
        self._end_run = end_run
        self._started_s = session.elapsed_s
        if session.plan.duration_s is None:
            self._control.deadline.arm(None)  # a profile's duration: the search ends the run itself
        self._result = self._summary(SearchState.RUNNING)
        unit = self._mode.unit
        session.annotate(
            f"capacity search ({self._mode}): from {self._spec.start:g}{unit}, judged by {self.slo}",
            kind="search",
        )
        self._greenlet = session.spawn_tracked(self._run)

    def stop(self, reason: str = "stopped by operator", run_ends: bool = False) -> None:
        """Stop the search (its steps kept, the answer marked partial); the run goes on at the load it had
        before the search (``run_ends``: the run is ending, the load stays as it is)."""
        glet, self._greenlet = self._greenlet, None
        if glet is None or glet.dead:
            return
        if glet is not gevent.getcurrent():
            glet.kill(block=False)
        self._finish(SearchState.PARTIAL, reason, settle_load=not run_ends)

    # --------------------------------------------------------------------------- reads
    @property
    def running(self) -> bool:
        return self._greenlet is not None and not self._greenlet.dead

    @property
    def mode(self) -> SearchMode:
        return self._mode

    @property
    def slo(self) -> str:
        """The limits the steps are judged by, one line."""
        return slo_text(self._thresholds)

    def result(self) -> CapacityResult | None:
        """The search so far (RUNNING) or its answer; None: no search in this run."""
        return self._result

    def progress(self) -> StepProgress | None:
        """The step being held now (None: no search running)."""
        return self._progress if self.running else None

    def stage_key(self) -> StageKey | None:
        """The stage a step is in (its settle, its measured part), for the figures per stage."""
        return self._stage if self.running else None

    def reset(self) -> None:
        """A new run: no search carried over."""
        self.stop("the run was restarted", run_ends=True)
        self._result = None
        self._steps = []

    # --------------------------------------------------------------------------- the greenlet
    def _run(self) -> None:
        try:
            while self._session.arrival.pending:  # a run planned at a rate: its own start comes first
                if not self._sleep_until(self._session.elapsed_s + POLL_S):
                    break
            while True:
                decision = next_step(self._spec, self._mode, self._steps)
                if isinstance(decision, Finish):
                    self._greenlet = None
                    self._finish(decision.state, decision.note)
                    return
                step = self._hold(decision.phase, decision.level)
                if step is None:
                    self._greenlet = None
                    self._finish(SearchState.PARTIAL, "the run ended during the search")
                    return
                self._steps.append(step)
                self._session.annotate(step.line(self._mode.unit), kind="search")
                self._result = self._summary(SearchState.RUNNING)
                self._notify()
        except gevent.GreenletExit:
            raise
        except Exception as exc:  # noqa: BLE001 - a search that breaks keeps its steps, never the run
            self._greenlet = None
            self._finish(SearchState.PARTIAL, f"the search failed: {type(exc).__name__}: {exc}")

    def _hold(self, phase: StepPhase, level: float) -> CapacityStep | None:
        """Set ``level``, let it settle, measure it; None when the run ended meanwhile."""
        session, spec = self._session, self._spec
        index = len(self._steps) + 1
        label = f"search {index}: {level:g}{self._mode.unit}"
        if self._steps and not self._steps[-1].passed and not self._recover(index, phase):
            return None
        start_s = session.elapsed_s
        self._progress = StepProgress(index, phase, level, True, start_s)
        self._stage = (f"{label} settle", "settle")
        self._apply(level)
        if not self._sleep_until(start_s + spec.settle_s):
            return None
        measure_start_s = session.elapsed_s
        key: StageKey = (label, "search")
        self._stage = key
        self._progress = StepProgress(index, phase, level, False, measure_start_s)
        hold = spec.confirm_s if phase is StepPhase.CONFIRM else spec.step_s
        longest = measure_start_s + hold * MAX_STEP_FACTOR
        if not self._sleep_until(measure_start_s + hold):
            return None
        while self._requests(key) < spec.min_requests and session.elapsed_s < longest:
            if not self._sleep_until(session.elapsed_s + POLL_S):
                return None
        self._stage = (f"{label} judging", "settle")
        if not self._sleep_until(session.elapsed_s + self._late_s()):
            return None
        return self._judge(index, phase, level, start_s, key)

    def _judge(
        self, index: int, phase: StepPhase, level: float, start_s: float, key: StageKey
    ) -> CapacityStep:
        session = self._session
        stage = next((s for s in reversed(session.stages()) if (s.label, s.kind) == key), None)
        hdr = session.hdr
        if stage is None or hdr is None:
            raise RuntimeError(f"no figures for {key[0]}")
        endpoints = hdr.aggregator.stages.endpoint_figures(stage.index)
        total = EndpointFigures("", AGGREGATED, stage.requests, stage.failures, stage.percentiles)
        # its req/s over the whole seconds its requests were counted in (a 3.3 s step counts 3 or 4)
        window = hdr.aggregator.stages.counted_window(stage.index)
        measured_s, end_s = window if window and window[1] > window[0] else (stage.start_s, stage.end_s)
        checks = step_checks(total, endpoints, end_s - measured_s, self._thresholds)
        from perfconsole.engine.snapshots import build_result

        so_far = build_result(session, False, session.snapshot(), ())
        rules = ValidityRules(min_samples=self._spec.min_requests)
        if session.monitor is not None:
            rules = replace(rules, saturation_pct=session.monitor.options.saturation_pct)
        reasons = list(span_validity(so_far, Span(stage.start_s, stage.end_s, stage.requests), rules).reasons)
        arrival = (
            session.arrival.figures(stage.start_s, stage.end_s) if self._mode is SearchMode.RATE else None
        )
        dropped = dropped_breach(arrival.dropped_pct if arrival else None, self._thresholds)
        if dropped is not None:
            reasons.append(dropped)
        runner = session.runner
        return CapacityStep(
            index=index,
            phase=phase,
            level=level,
            start_s=round(start_s, 2),
            measure_start_s=round(measured_s, 3),
            end_s=round(end_s, 3),
            total=total,
            endpoints=endpoints,
            breaches=breaches_of(checks),
            invalid=tuple(reasons),
            generator_limited=generator_limited(tuple(reasons)),
            achieved_rate=arrival.achieved_rate if arrival else None,
            dropped_pct=arrival.dropped_pct if arrival else None,
            users=int(getattr(runner, "user_count", 0) or 0),
            limit_ratio=limit_ratio(checks),
        )

    # --------------------------------------------------------------------------- internals
    def _recover(self, index: int, phase: StepPhase) -> bool:
        """After an overloaded step: the start level until the queue has drained (a stage of its own)."""
        session, spec = self._session, self._spec
        low = rounded(spec.start, self._mode)
        began = session.elapsed_s
        self._progress = StepProgress(index, phase, low, True, began)
        self._stage = (f"search {index}: recover at {low:g}{self._mode.unit}", "settle")
        self._apply(low)
        if not self._sleep_until(began + spec.settle_s):
            return False
        while session.elapsed_s < began + RECOVER_MAX_S and not self._drained(low):
            if not self._sleep_until(session.elapsed_s + POLL_S):
                return False
        return True

    def _drained(self, level: float) -> bool:
        if self._mode is not SearchMode.RATE:
            return True  # the closed model holds no more requests in flight than it has users
        status = self._session.arrival.status()
        return status is None or status.busy <= max(2.0, level * 0.25)

    def _apply(self, level: float) -> None:
        apply_level(self._session, self._mode, level)

    def _requests(self, key: StageKey) -> int:
        hdr = self._session.hdr
        found = hdr.aggregator.stages.find(key) if hdr is not None else None
        return found[1] if found is not None else 0

    def _late_s(self) -> float:
        return LATE_LOCAL_S if self._session.worker_count == 0 else LATE_WORKERS_S

    def _sleep_until(self, run_s: float) -> bool:
        """Sleep until run time ``run_s``; False as soon as the run is no longer live."""
        session = self._session
        while session.elapsed_s < run_s:
            if not session.state.is_live:
                return False
            gevent.sleep(min(POLL_S, max(0.01, run_s - session.elapsed_s)))
        return session.state.is_live

    def _summary(self, state: SearchState, note: str = "") -> CapacityResult:
        ended = self._session.elapsed_s
        return summarize(
            self._mode, state, self._steps, self._spec, self.slo, (note,), self._started_s, ended
        )

    def _finish(self, state: SearchState, note: str, settle_load: bool = True) -> None:
        self._stage = None
        self._progress = None
        result = self._result = self._summary(state, note)
        session = self._session
        session.annotate(f"capacity search {state}: {result.answer}", kind="search")
        self._notify()
        if not session.state.is_live or not settle_load:
            return
        if self._end_run and state is not SearchState.PARTIAL:
            session.end_run(RunEnd(EndKind.SEARCH, f"capacity search {state}"))
            return
        before = self._before
        if state is SearchState.PARTIAL and before is not None:
            # stopped part-way: the load the run had before, not the last step's (perhaps overloading)
            try:
                before.restore(session)
            except UserError:
                return
            text = f"capacity search stopped: load back to {before.text}, as before the search"
            session.annotate(text, kind="search")
            return
        # the run goes on: at the capacity found (else the start level), never at an overloading step's
        level = result.capacity if result.capacity is not None else rounded(self._spec.start, self._mode)
        try:
            self._apply(level)
        except UserError:
            return
        session.annotate(f"capacity search over: load left at {level:g}{self._mode.unit}", kind="search")

    def _notify(self) -> None:
        result = self._result
        if result is None:
            return
        for listener in list(self.listeners):
            try:
                listener(result)
            except Exception:  # noqa: BLE001, S112 - a listener's failure is never the search's
                continue


__all__ = ["CapacitySearch", "StepProgress"]
