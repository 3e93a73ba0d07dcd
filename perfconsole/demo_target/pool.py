"""A simulated database connection pool: requests hold a slot while they "work" and queue when full.

This is what makes ``demo_db_pool_in_use`` and ``demo_queue_depth`` rise with load, and latency climb
once concurrency exceeds the pool (like a real service saturating its database).
"""

from __future__ import annotations

from collections.abc import Callable

import gevent
from gevent.lock import BoundedSemaphore

from perfconsole.demo_target.metrics import Metrics


class SimulatedPool:
    def __init__(self, size: int, metrics: Metrics) -> None:
        self.size = size
        self.metrics = metrics
        self.slots = BoundedSemaphore(size)

    def work(self, work_time_s: Callable[[], float], timeout_s: float) -> bool:
        """Take a slot, then hold it for ``work_time_s()`` seconds (cooperative sleep).

        The work time is computed once the slot is held, so settings changed while a request queues apply
        to it. False if no slot freed within ``timeout_s``.
        """
        self.metrics.queue_depth += 1
        try:
            acquired = self.slots.acquire(timeout=timeout_s)
        finally:
            self.metrics.queue_depth -= 1
        if not acquired:
            return False
        self.metrics.db_pool_in_use += 1
        try:
            gevent.sleep(work_time_s())
        finally:
            self.metrics.db_pool_in_use -= 1
            self.slots.release()
        return True
