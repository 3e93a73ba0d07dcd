"""Where users run (a worker, or the console with ``--workers 0``): start iterations when the schedule says.

The pacer receives this process's share of the target rate from the master (``messages.SHARE``), runs the
schedule in one greenlet and hands each scheduled start to an idle user (``gate``). When no user is idle,
the iteration waits in the schedule's cursor (``cursor.DueCursor``: no object per iteration) for a user
to finish, which takes the oldest at once, or for one the master is asked to add (``messages.GROW``, up to
this process's share of ``--max-users``); those no user could start within ``MAX_START_WAIT_S`` are
dropped and counted in bulk. Each start's lag (scheduled time to actual start) is measured; the requests
of that iteration are recorded from the scheduled start as well (``lag_us``, read by the histogram
recorder). Counts go to the master each second (``messages.REPORT``).
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import gevent
from gevent.hub import Waiter

from perfconsole.engine.arrival.cpu_gauge import CpuGauge
from perfconsole.engine.arrival.cursor import DueCursor
from perfconsole.engine.arrival.messages import GROW, REPORT, REPORT_INTERVAL_S, SHARE
from perfconsole.engine.arrival.schedule import Arrivals, ArrivalSource, Handover, RateCurve
from perfconsole.engine.hdr.codec import encode_counts
from perfconsole.engine.hdr.layout import index_of
from perfconsole.engine.locust import task_gate as gate

GROW_RETRY_S = 0.5
"""A growth request not answered within this time is asked again."""
GROW_PENDING_S = 2.0
"""Users asked for are counted as on their way this long (the master spawns them fast)."""
GROW_AFTER_S = 0.05
"""The pool grows once an iteration has waited this long for a user."""
GROW_MARGIN = 1.25
MIN_ITERATIONS = 10
TURN_ATTR = "_perfconsole_turn"
"""Set on a user during an iteration: (start lag µs, start time); cheaper than a side table a request."""
TICK_S = 0.001
"""The schedule loop's shortest sleep."""
POLL_S = 0.01
"""The schedule loop's sleep while due starts wait for a user (users take them as they finish)."""
LATE_NO_GROW_S = 0.05
"""The pool does not grow while the schedule loop wakes this late (the process is short of CPU)."""
BUSY_NO_GROW = 0.9
"""... nor while the process ran or waited for a CPU this share of the time (``cpu_gauge``): the generator
is the limit, and more users would only share its CPU."""
MAX_START_WAIT_S = 1.0
"""An iteration no user could start within this time of its scheduled start is dropped (also when the
schedule loop itself was late: the process was stalled)."""


class _Second:
    __slots__ = ("started", "dropped", "lag", "lag_max_us")

    def __init__(self) -> None:
        self.started = 0
        self.dropped = 0
        self.lag: dict[int, int] = {}
        self.lag_max_us = 0


class ArrivalPacer:
    """One process's pacing of its users (inactive until the master sends a share)."""

    def __init__(
        self,
        runner: Any,
        clock: Callable[[], float] = time.monotonic,
        set_start_lag: Callable[[Callable[[], int | None] | None], None] | None = None,
        gauge: CpuGauge | None = None,
    ) -> None:
        self.runner = runner
        self.gauge = gauge or CpuGauge()
        self._set_start_lag = set_start_lag
        """Gives the histogram recorder ``lag_us`` while the mode is on, None off it (a request then costs
        no lookup)."""
        self._clock = clock
        self._origin = 0.0
        self._arrivals: ArrivalSource | None = None
        self._cursor: DueCursor | None = None
        self._loop: gevent.Greenlet | None = None
        self._reporter: gevent.Greenlet | None = None
        self._idle: deque[Waiter[Any]] = deque()
        """Users waiting for their turn, oldest first (each waits in its own ``Waiter``)."""
        self._seconds: dict[int, _Second] = {}
        self._second_at = -1
        self._second = _Second()
        self._iteration_s = 0.0
        self._iterations = 0
        """Iteration times since the last report (for the pool's growth)."""
        self._grow_asked_at = -GROW_RETRY_S
        self._asked_for = 0
        """The pool this process last asked for (at ``_asked_at``)."""
        self._asked_at = -GROW_PENDING_S
        self._late_s = 0.0
        """How late the schedule loop woke last (a generator short of CPU: more users would not help)."""
        self.ceiling = 0
        self.active = False
        runner.register_message(SHARE, self._on_share)
        runner.environment.events.test_stopping.add_listener(self._on_test_stopping)
        runner.environment.events.test_stop.add_listener(self._on_test_stop)

    def _on_test_stopping(self, **_kwargs: Any) -> None:
        """The run begins to stop (its users are being stopped): no start is handed out from now on, and
        those still due are not counted as dropped (stopping the users can take longer than
        ``MAX_START_WAIT_S``); those that had already waited that long are."""
        cursor = self._cursor
        if not self.active or cursor is None:
            return
        if self._loop is not None:
            self._loop.kill(block=False)
            self._loop = None
        self._drop(cursor.expire(self._run_time()))
        self._cursor = DueCursor(Arrivals(RateCurve(()), 0.0), MAX_START_WAIT_S)  # no arrival: users wait

    def _on_test_stop(self, **_kwargs: Any) -> None:
        self.deactivate()  # the run is over: a next run starts in Locust's own loop unless given a share

    # --------------------------------------------------------------------------- the share
    def _on_share(self, environment: Any = None, msg: Any = None, **_kwargs: Any) -> None:
        data = msg.data if msg is not None else {}
        rows = data.get("curve")
        if rows is None:
            self.deactivate()
            return
        self.ceiling = int(data.get("ceiling") or 0)
        if not self.active:
            # the run's clock, once: a later share (a rate change, a new split) goes on from this process's
            # own run time; set again from the master's, it would go back by the message's transit time and
            # the iterations of that moment would never be scheduled (a re-split every few seconds lost some)
            self._origin = self._clock() - float(data.get("now_s") or 0.0)
        now_s = self._run_time()
        curve = RateCurve.from_wire(rows)
        poisson = bool(data.get("poisson"))
        arrivals: ArrivalSource = Arrivals(curve, now_s, poisson=poisson, rng=random.Random())
        before = self._cursor
        due = before.due if before is not None else None
        if before is not None and due is not None and due <= now_s and curve.rate_at(now_s) > 0:
            # a new share (the master's split moved, or the rate changed): the iterations still waiting
            # are started or dropped as before, not forgotten (a share of 0, the run ending, drops none)
            arrivals = Handover(before.arrivals, due, now_s, arrivals)
        self._arrivals = arrivals
        self._cursor = DueCursor(arrivals, MAX_START_WAIT_S)
        if not self.active:
            self.active = True
            gate.open_gate(self)
            if self._set_start_lag is not None:
                self._set_start_lag(self.lag_us)
            self._reporter = gevent.spawn(self._report_loop)
        if self._loop is not None:
            self._loop.kill(block=False)
        self._loop = gevent.spawn(self._schedule_loop, self._cursor)

    def deactivate(self) -> None:
        """Leave the mode: idle users go back to Locust's own loop at once."""
        if not self.active:
            return
        self.active = False
        gate.close_gate()
        if self._set_start_lag is not None:
            self._set_start_lag(None)
        for glet in (self._loop, self._reporter):
            if glet is not None:
                glet.kill(block=False)
        self._loop = self._reporter = None
        self._cursor = None
        self._release(None)
        self._send_report()

    def _run_time(self) -> float:
        return self._clock() - self._origin

    # --------------------------------------------------------------------------- the schedule
    def _schedule_loop(self, cursor: DueCursor) -> None:
        """Hand every due start to an idle user, then sleep until the next one (at least ``TICK_S``: at high
        rates a wake-up hands out several starts, each with its own lag, instead of a timer per start).
        With no idle user, due starts wait in the cursor: each user takes the oldest as it finishes."""
        callback = gevent.get_hub().loop.run_callback
        idle = self._idle
        while cursor.due is not None:
            now = self._run_time()
            self._drop(cursor.expire(now))
            while idle:
                due = cursor.take(now)
                if due is None:
                    break
                callback(idle.popleft().switch, due)
            if not idle and self.runner.user_count < self.ceiling and cursor.waited_s(now) >= GROW_AFTER_S:
                self._ask_to_grow(now)
            due = cursor.due
            wait = max(TICK_S, due - now) if due is not None and due > now else POLL_S
            asked = self._run_time()
            gevent.sleep(wait)
            self._late_s = max(0.0, self._run_time() - asked - wait)

    def _release(self, due: float | None) -> None:
        """Every idle user goes on with ``due`` (None: out of the mode)."""
        callback = gevent.get_hub().loop.run_callback
        while self._idle:
            callback(self._idle.popleft().switch, due)

    def _drop(self, count: int) -> None:
        if count:
            self._count().dropped += count

    def _ask_to_grow(self, now_s: float) -> None:
        """More users, when iterations have waited ``GROW_AFTER_S`` for one: as many as the rate needs by
        Little's law (rate x mean iteration time, with a margin) beyond the pool; none when the pool is
        already that large (the iterations waited for a stall of the process, not for users: those it has
        catch up), one when no iteration has finished yet. Not while the loop itself runs late or the
        process is busy (``BUSY_NO_GROW``): it is short of CPU, and more users would only share it."""
        clock = self._clock()
        if clock - self._grow_asked_at < GROW_RETRY_S or self._late_s > LATE_NO_GROW_S:
            return
        if self.gauge.read() >= BUSY_NO_GROW:
            return
        self._grow_asked_at = clock
        pool = self.runner.user_count
        arrivals = self._arrivals
        rate = arrivals.curve.rate_at(now_s) if arrivals is not None else 0.0
        if self._iterations:
            wanted = math.ceil(rate * self._iteration_s / self._iterations * GROW_MARGIN)
        else:
            wanted = pool + 1  # no iteration has finished yet: one more user, and ask again
        # users asked for a moment ago may still be on their way: not asked for twice
        coming = self._asked_for if clock - self._asked_at < GROW_PENDING_S else 0
        need = min(wanted, self.ceiling) - max(pool, coming)
        if need > 0:
            self._asked_for, self._asked_at = max(pool, coming) + need, clock
            self.runner.send_message(GROW, {"need": need})

    # --------------------------------------------------------------------------- the users' side
    def await_turn(self, user: Any) -> None:
        """Called by the gate before each of ``user``'s iterations: returns when it is its turn (at once
        when an iteration is already due: it takes the oldest). It runs for every iteration: the common
        case (a start due and not stale) is written out, without the cursor's and the counts' calls."""
        state = user.__dict__
        clock = self._clock
        started_at = clock()
        last = state.pop(TURN_ATTR, None)  # (start lag µs, start time) of its last iteration
        if last is not None:
            self._iteration_s += started_at - last[1]
            self._iterations += 1
        cursor = self._cursor
        if cursor is None:
            return
        now = started_at - self._origin
        due = cursor.due
        if due is not None and due <= now:
            # A start is due at once: the other users ready to run go first, as between tasks in Locust's own
            # loop (a zero wait_time still sleeps 0). Without it a busy generator interleaves each user's
            # next send with the others' answers and pays 10-15 % more CPU a request (pacing_cost.py).
            user._state = gate.WAITING
            gevent.sleep(0)
            user._state = gate.RUNNING
            cursor = self._cursor
            if cursor is None:
                return
            started_at = clock()
            now = started_at - self._origin
            due = cursor.due
        if due is not None and now - cursor.max_wait_s <= due <= now:
            cursor.due = cursor.arrivals.next()  # cursor.take, none stale: cursor.expire would drop none
        else:
            self._drop(cursor.expire(now))
            due = cursor.take(now)
            if due is None:
                waiter: Waiter[Any] = Waiter()
                self._idle.append(waiter)
                user._state = gate.WAITING
                try:
                    due = waiter.get()
                finally:
                    if due is None:
                        try:
                            self._idle.remove(waiter)  # killed while idle (the run stops)
                        except ValueError:
                            pass
                user._state = gate.RUNNING
                if due is None or not self.active:
                    return
                started_at = clock()
                now = started_at - self._origin
        lag_us = int((now - due) * 1e6) if now > due else 0
        second = self._second if int(time.time()) == self._second_at else self._count()
        second.started += 1
        index = index_of(lag_us)
        lag = second.lag
        lag[index] = lag.get(index, 0) + 1
        if lag_us > second.lag_max_us:
            second.lag_max_us = lag_us
        state[TURN_ATTR] = (lag_us, started_at)

    def lag_us(self) -> int | None:
        """The start lag (µs) of the iteration the current greenlet's user is in (None: not paced)."""
        if not self.active:
            return None
        args: Any = getattr(gevent.getcurrent(), "args", None)  # Locust spawns run_user(user)
        if not args:
            return None
        turn = getattr(args[0], TURN_ATTR, None)
        return turn[0] if turn is not None else None

    # --------------------------------------------------------------------------- counts
    def _count(self) -> _Second:
        """The counts of the current wall-clock second."""
        now = int(time.time())
        if now != self._second_at:
            found = self._seconds.get(now)
            if found is None:
                found = self._seconds[now] = _Second()
            self._second_at, self._second = now, found
        return self._second

    def _report_loop(self) -> None:
        while True:
            gevent.sleep(REPORT_INTERVAL_S)
            self.gauge.read()  # a window of at most a second for the next growth check
            self._send_report()

    def _send_report(self) -> None:
        seconds, self._seconds = self._seconds, {}
        self._second_at = -1
        if self._iterations >= MIN_ITERATIONS:
            self._iteration_s = self._iteration_s / self._iterations  # keep the mean, weigh it as one
            self._iterations = 1
        rows = [
            [s, c.started, c.dropped, encode_counts(c.lag), c.lag_max_us] for s, c in sorted(seconds.items())
        ]
        data = {
            "seconds": rows,
            "pool": self.runner.user_count,
            "busy": max(0, self.runner.user_count - len(self._idle)),
            "backlog": self._cursor.pending(self._run_time()) if self._cursor is not None else 0,
            "at": time.time(),
        }
        try:
            self.runner.send_message(REPORT, data)
        except Exception:  # the master is gone: Locust's worker is stopping
            pass
