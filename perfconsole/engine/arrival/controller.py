"""The master's side of arrival-rate mode: it owns the target rate and splits it across the workers.

The target is a rate curve over run time: a profile's rate stages, or a constant the operator dials
(``set_rate``). Each live worker gets a share (``messages.SHARE``) and an equal share of ``--max-users``;
the split is made even again when a worker joins, is lost (Locust marks it missing, or its pacer's reports
stop for ``STALE_S``) or comes back. In between, every ``REBALANCE_S`` the shares follow what each worker
achieves (``split.rebalance``: a worker that falls short hands rate to those that keep up). Workers ask
for more users (``messages.GROW``): the pool grows through Locust's own dispatch (``grow(total)``), never
above ``max_users``. Reports of started and dropped iterations and start lag arrive each second
(``figures``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import gevent

from perfconsole.engine.arrival.figures import SecondCounts
from perfconsole.engine.arrival.messages import GROW, REPORT, SHARE
from perfconsole.engine.arrival.pacer import ArrivalPacer
from perfconsole.engine.arrival.plan import POOL_CEILING_FACTOR, ArrivalPlan
from perfconsole.engine.arrival.schedule import RateCurve
from perfconsole.engine.arrival.split import Load, even, rebalance
from perfconsole.model.arrival import ArrivalFigures, ArrivalRun, ArrivalStatus
from perfconsole.model.stages import StageStats

SPLIT_CHECK_S = 0.5
STALE_S = 2.5
"""A worker whose pacer has sent no report for this long since its share loses the share."""
REBALANCE_S = 2.0
"""How often the split is checked against what each worker achieved."""
JUDGE_S = (2, 4)
"""The fewest and most whole seconds a check reads (since the last split and the last check's window,
reported by every worker)."""
KEEP_S = 12
"""Seconds of each worker's own started counts kept."""
LIVE_WINDOW_S = 5
"""Seconds of the live figures (achieved, dropped/s, start lag)."""
RATE_KIND = "rate"
"""The stage kind of an arrival-rate level."""
LOCAL_ID = "local"
"""The node id of LocalRunner's in-process messages."""


@dataclass
class _Node:
    share_at: float = 0.0
    reported_at: float = 0.0
    pool: int = 0
    busy: int = 0
    backlog: int = 0
    sent_at: float = 0.0
    """Wall-clock time of its last report (the seconds before it are complete in ``started``)."""
    started: dict[int, int] = field(default_factory=dict)
    """Iterations it started, by wall-clock second (the last ``KEEP_S``)."""


class ArrivalController:
    """Target, split and counts of one session's arrival-rate mode (master or in-process runner)."""

    def __init__(
        self,
        runner: Any,
        elapsed: Callable[[], float],
        grow: Callable[[int], None],
        pool_target: Callable[[], int],
    ) -> None:
        self.runner = runner
        self._elapsed = elapsed
        self._grow = grow
        self._pool_target = pool_target
        self.counts = SecondCounts()
        self.plan: ArrivalPlan | None = None
        self.max_users = 0
        self._history: list[tuple[float, RateCurve, str]] = []
        """(from run time, curve, label) of every target the run has had."""
        self._nodes: dict[str, _Node] = {}
        self._split: tuple[str, ...] = ()
        self._fractions: dict[str, float] = {}
        """Each worker's fraction of the target (summing to 1)."""
        self._split_wall = 0.0
        """Wall-clock time of the last split sent."""
        self._judged: tuple[int, dict[str, Load] | None] = (0, None)
        """The end (a wall-clock second, excluded) and the loads of the last window checked."""
        self._wall0 = 0.0
        self._origin_s = 0.0
        self._watcher: gevent.Greenlet | None = None
        self.local_pacer: ArrivalPacer | None = None
        """With ``--workers 0``: the pacer of the users running in this process."""
        runner.register_message(REPORT, self._on_report)
        runner.register_message(GROW, self._on_grow)

    # --------------------------------------------------------------------------- control
    @property
    def active(self) -> bool:
        return self.plan is not None

    def start(self, plan: ArrivalPlan, pool: int, start_s: float | None = None) -> None:
        """Enter the mode (at run start, or switching a closed-model run to a rate); stages count from run
        time ``start_s`` (default: now)."""
        now = self._elapsed()
        if not self._history:
            self._wall0 = time.time() - now
        self.plan = plan
        self.max_users = plan.max_users or max(POOL_CEILING_FACTOR * pool, 1)
        self._origin_s = now if start_s is None else start_s
        self._set_curve(plan.curve(self._origin_s), self._plan_label(plan))
        if self._watcher is None:
            self._watcher = gevent.spawn(self._watch_loop)

    def hold(self) -> None:
        """Before the schedule starts (the initial pool spawning): every process's users wait at the gate
        instead of running their own loop, so that the run's first requests are the schedule's."""
        zero = {"curve": RateCurve.constant(0.0).to_wire(), "now_s": self._elapsed(), "ceiling": 0}
        for node_id in self._live_nodes():
            self._send(node_id, zero)

    def set_rate(self, rate: float) -> None:
        """The operator's dial: a constant ``rate`` from now on (a staged plan is left)."""
        if self.plan is None:
            raise RuntimeError("arrival-rate mode is not on")
        self.plan = ArrivalPlan(rate=rate, max_users=self.max_users, poisson=self.plan.poisson)
        self._set_curve(RateCurve.constant(rate, self._elapsed()), f"{rate:g}/s")

    def set_max_users(self, max_users: int) -> None:
        self.max_users = max_users
        self._send_shares(self._split, force=True)

    def leave(self) -> None:
        """Leave the mode mid-run: the workers' users go back to their own loop (and ``wait_time``)."""
        if self.plan is None:
            return
        self.end()
        self.runner.send_message(SHARE, {"curve": None})

    def end(self) -> None:
        """The run is ending: no more targets or growth (each pacer leaves the mode on Locust's
        ``test_stop``)."""
        if self.plan is None:
            return
        now = self._elapsed()
        for node_id in self._split:  # no more starts while Locust stops the users (nor drops counted)
            self._send(node_id, {"curve": RateCurve.constant(0.0).to_wire(), "now_s": now, "ceiling": 0})
        self._history.append((now, RateCurve([]), ""))
        self.plan = None
        if self._watcher is not None:
            self._watcher.kill(block=False)
            self._watcher = None
        self._split = ()
        self._fractions = {}

    def reset(self) -> None:
        """A new run: counts and history start again."""
        self.end()
        self.counts.clear()
        self._history.clear()
        self._nodes.clear()

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.kill(block=False)
            self._watcher = None
        if self.local_pacer is not None:
            self.local_pacer.deactivate()  # the gate is the process's: in-process runs close it

    # --------------------------------------------------------------------------- reads
    def target_rate(self, at_s: float | None = None) -> float:
        at = self._elapsed() if at_s is None else at_s
        for start, curve, _label in reversed(self._history):
            if start <= at:
                return curve.rate_at(at)
        return 0.0

    @property
    def origin_s(self) -> float:
        """The run time the current plan's stages count from."""
        return self._origin_s

    def stage_label(self) -> str | None:
        """The current level of the target, as a stage label (None: not in the mode)."""
        if self.plan is None or not self._history:
            return None
        _start, _curve, label = self._history[-1]
        if self.plan.stages:
            index = sum(1 for s in self.plan.stages if s.until_s + self._origin_s <= self._elapsed()) + 1
            index = min(index, len(self.plan.stages))
            stage = self.plan.stages[index - 1]
            before = self.plan.stages[index - 2].rate if index > 1 else 0.0
            level = f"{before:g} -> {stage.rate:g}/s" if stage.linear else f"{stage.rate:g}/s"
            return f"{label} {index}: {level}"
        return label

    def target_between(self, a_s: float, b_s: float) -> float:
        """Iterations the target asked for between run times ``a_s`` and ``b_s``."""
        total = 0.0
        for position, (start, curve, _label) in enumerate(self._history):
            end = self._history[position + 1][0] if position + 1 < len(self._history) else math.inf
            lo, hi = max(a_s, start), min(b_s, end)
            if hi > lo:
                total += curve.integral(lo, hi)
        return total

    def figures(self, a_s: float, b_s: float) -> ArrivalFigures:
        """Target and counts of run times ``a_s`` to ``b_s`` (whole seconds whose middle is inside)."""
        first = math.ceil(self._wall0 + a_s - 0.5)
        last = math.ceil(self._wall0 + b_s - 0.5)
        started, dropped, lag_p95 = self.counts.between(first, last)
        return ArrivalFigures(
            duration_s=max(0.0, b_s - a_s),
            target=self.target_between(a_s, b_s),
            started=started,
            dropped=dropped,
            start_lag_p95_ms=lag_p95,
        )

    def status(self) -> ArrivalStatus:
        """The live figures: the last complete ``LIVE_WINDOW_S`` seconds (reports arrive each second)."""
        last = int(time.time()) - 1  # the second just ended may still be on its way
        started, dropped, lag_p95 = self.counts.between(last - LIVE_WINDOW_S, last)
        nodes = [self._nodes[n] for n in self._split if n in self._nodes]
        return ArrivalStatus(
            target_rate=self.target_rate() if self.plan is not None else 0.0,
            achieved_rate=started / LIVE_WINDOW_S,
            dropped_rate=dropped / LIVE_WINDOW_S,
            start_lag_p95_ms=lag_p95,
            busy=sum(n.busy for n in nodes),
            pool=int(getattr(self.runner, "user_count", 0) or 0),
            max_users=self.max_users,
            backlog=sum(n.backlog for n in nodes),
            workers=len(self._split),
        )

    def per_second(self) -> list[tuple[float, float, int, int]]:
        """(run time of the second's start, target iterations, started, dropped) of each second counted."""
        rows = []
        for second, started, dropped in self.counts.series():
            start_s = second - self._wall0
            rows.append(
                (round(start_s, 3), round(self.target_between(start_s, start_s + 1), 3), started, dropped)
            )
        return rows

    def run_figures(self, end_s: float, peak_pool: int) -> ArrivalRun | None:
        """The whole run's figures (None: the run never used a rate)."""
        if not self._history:
            return None
        start = self._history[0][0]
        return ArrivalRun(
            figures=self.figures(start, end_s),
            max_users=self.max_users,
            peak_pool=peak_pool,
            poisson=bool(self.plan and self.plan.poisson),
            seconds=tuple(self.per_second()),
        )

    def with_stage_figures(self, stages: Sequence[StageStats]) -> tuple[StageStats, ...]:
        """``stages`` with the arrival figures of each ``rate`` stage."""
        return tuple(
            replace(s, arrival=self.figures(s.start_s, s.end_s)) if s.kind == RATE_KIND else s for s in stages
        )

    @property
    def shares(self) -> dict[str, float]:
        """Each worker's share of the target now (iterations/s)."""
        rate = self.target_rate()
        return {node: rate * self._fractions.get(node, 0.0) for node in self._split}

    # --------------------------------------------------------------------------- internals
    def _plan_label(self, plan: ArrivalPlan) -> str:
        return "rate stage" if plan.stages else f"{plan.rate or 0:g}/s"

    def _set_curve(self, curve: RateCurve, label: str) -> None:
        self._history.append((self._elapsed(), curve, label))
        self._send_shares(self._live_nodes(), force=True)

    def _live_nodes(self) -> tuple[str, ...]:
        clients = getattr(self.runner, "clients", None)
        if clients is None:
            return (LOCAL_ID,)
        now = time.monotonic()
        live = []
        for node in clients.values():
            if node.state == "missing" or node.heartbeat <= 0:
                continue
            known = self._nodes.get(node.id)
            if (
                known is not None
                and known.share_at
                and now - max(known.share_at, known.reported_at) > STALE_S
            ):
                continue
            live.append(node.id)
        return tuple(sorted(live))

    def _watch_loop(self) -> None:
        checked = time.monotonic()
        while True:
            gevent.sleep(SPLIT_CHECK_S)
            live = self._live_nodes()
            if live != self._split:
                self._send_shares(live, force=False)
            elif time.monotonic() - checked >= REBALANCE_S:
                checked = time.monotonic()
                self._rebalance()

    def _rebalance(self) -> None:
        """Shares by what each worker achieved over the whole seconds since the last split that every
        worker has reported (``JUDGE_S``)."""
        nodes = [self._nodes.get(n) for n in self._split]
        if self.plan is None or len(nodes) < 2:
            return
        judged_to, before = self._judged
        first = max(math.floor(self._split_wall) + 1, judged_to)
        if judged_to < first:
            before = None  # a split since: the window before it asked for other fractions
        last = min(math.floor(n.sent_at) if n is not None else 0 for n in nodes)  # seconds < last: complete
        first = max(first, last - JUDGE_S[1])
        if last - first < JUDGE_S[0]:
            return
        asked = self.target_between(first - self._wall0, last - self._wall0)
        loads = {
            node_id: Load(
                asked * self._fractions[node_id], sum(node.started.get(s, 0) for s in range(first, last))
            )
            for node_id, node in zip(self._split, nodes, strict=True)
            if node is not None and node_id in self._fractions
        }
        new = rebalance(self._fractions, loads, before)
        self._judged = (last, loads)
        if new is not None:
            self._send_shares(self._split, force=True, fractions=new)

    def _send_shares(
        self, live: Sequence[str], force: bool, fractions: dict[str, float] | None = None
    ) -> None:
        if self.plan is None or not self._history:
            return
        curve = self._history[-1][1]
        now = self._elapsed()
        gone = [n for n in self._split if n not in live]
        if tuple(live) != self._split or fractions is not None or set(self._fractions) != set(live):
            self._fractions = fractions if fractions is not None else even(live)
        self._split = tuple(live)
        if not live:
            return
        ceiling = math.ceil(self.max_users / len(live))
        stamp = time.monotonic()
        self._split_wall = time.time()
        for node_id in live:
            node = self._nodes.setdefault(node_id, _Node())
            node.share_at = stamp
            share = curve.scaled(self._fractions[node_id]).to_wire()
            data = {"curve": share, "now_s": now, "ceiling": ceiling, "poisson": self.plan.poisson}
            self._send(node_id, data)
        for node_id in gone:  # a silent worker that comes back must not go on with its old share
            self._send(node_id, {"curve": RateCurve.constant(0.0).to_wire(), "now_s": now, "ceiling": 0})

    def _send(self, node_id: str, data: dict[str, Any]) -> None:
        if node_id == LOCAL_ID:
            self.runner.send_message(SHARE, data)
        else:
            self.runner.send_message(SHARE, data, client_id=node_id)

    def _on_report(self, environment: Any = None, msg: Any = None, **_kwargs: Any) -> None:
        data = msg.data or {}
        node = self._nodes.setdefault(str(msg.node_id), _Node())
        node.reported_at = time.monotonic()
        node.pool = int(data.get("pool") or 0)
        node.busy = int(data.get("busy") or 0)
        node.backlog = int(data.get("backlog") or 0)
        node.sent_at = float(data.get("at") or time.time())
        for second, started, dropped, lag_flat, lag_max in data.get("seconds") or ():
            self.counts.add(int(second), int(started), int(dropped), list(lag_flat), int(lag_max))
            node.started[int(second)] = node.started.get(int(second), 0) + int(started)
        for second in [s for s in node.started if s < node.sent_at - KEEP_S]:
            del node.started[second]

    def _on_grow(self, environment: Any = None, msg: Any = None, **_kwargs: Any) -> None:
        if self.plan is None or getattr(self.runner, "state", "") == "spawning":
            return  # users on their way take the waiting iterations first; the pacer asks again
        need = int((msg.data or {}).get("need") or 0)
        current = self._pool_target()
        total = min(self.max_users, current + need * max(1, len(self._split)))
        if total > current:
            self._grow(total)
