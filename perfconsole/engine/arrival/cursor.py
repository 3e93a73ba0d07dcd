"""The iterations due and not yet started, as a cursor on the schedule: no queue, no object per iteration.

Pure: no Locust, no gevent; the caller passes the time. Every arrival at or before ``now`` that has not been
taken is pending: the oldest is the cursor's ``due``. A user that becomes free takes the oldest pending one
(``take``); pending iterations older than ``max_wait_s`` are dropped in bulk, counted and skipped without
generating each one (``expire``), so a generator that falls behind spends nothing on the iterations it
cannot start. Taking and dropping cost the same whatever the backlog's size.
"""

from __future__ import annotations

from perfconsole.engine.arrival.schedule import ArrivalSource


class DueCursor:
    """The oldest arrival not yet taken of one schedule (``due``; None: no more arrivals)."""

    __slots__ = ("arrivals", "max_wait_s", "due")

    def __init__(self, arrivals: ArrivalSource, max_wait_s: float) -> None:
        self.arrivals = arrivals
        self.max_wait_s = max_wait_s
        self.due: float | None = arrivals.next()

    def take(self, now_s: float) -> float | None:
        """The oldest pending arrival (its scheduled time), taken; None when none is due at ``now_s``
        (call ``expire`` first: ``take`` does not drop)."""
        due = self.due
        if due is None or due > now_s:
            return None
        self.due = self.arrivals.next()
        return due

    def expire(self, now_s: float) -> int:
        """Drop the pending arrivals scheduled more than ``max_wait_s`` before ``now_s``; how many."""
        due = self.due
        if due is None:
            return 0
        limit = now_s - self.max_wait_s
        if due >= limit:
            return 0
        dropped, self.due = self.arrivals.skip_before(limit)
        return dropped

    def pending(self, now_s: float) -> int:
        """Arrivals due at ``now_s`` and not taken (an estimate from the curve beyond the first)."""
        due = self.due
        if due is None or due > now_s:
            return 0
        return 1 + int(self.arrivals.curve.integral(due, now_s))

    def waited_s(self, now_s: float) -> float:
        """How long the oldest pending arrival has waited (0: none pending)."""
        due = self.due
        return now_s - due if due is not None and due < now_s else 0.0
