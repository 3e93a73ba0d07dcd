"""Worker loss during a distributed run: flagged loudly, its users re-spawned on the survivors.

Locust's master marks a worker ``missing`` once its heartbeat counter (3, reset by each 1 s heartbeat)
falls below 0 and drops it from its user dispatcher, but re-spawns its users elsewhere only with
``--enable-rebalancing``. Here a worker is flagged as soon as it has missed three heartbeats (counter
<= 0: about 3-4 s after it died, so the line appears within 5 s with the session's 1 s tick), naming its
host (Locust's worker ids are ``HOSTNAME_UUID``); once Locust marks it missing, the run's target users are
dispatched again over the remaining workers (the same ``start(target, rate)`` Locust's rebalancing calls).

Effect on the result: a warning per lost worker, and while a lost worker has not come back, a failed
check ``workers lost`` (so a headless run exits 10, as for a failed threshold).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from perfconsole.model.run import ThresholdResult
from perfconsole.model.run_warnings import RunWarning, WarningKind

EXIT_GRACE_S = 3.0
"""A worker a signal ended at most this long before the run's last live check counts as lost at the end:
the heartbeat check needs three missed heartbeats (3 s or more) to flag it."""
LOST_AT_HEARTBEAT = 0
"""Flag a worker whose heartbeat counter is at or below this (three heartbeats missed)."""


def worker_host(node_id: str) -> str:
    """The host part of a Locust worker id (``HOSTNAME_UUIDHEX``)."""
    host, sep, _uuid = node_id.rpartition("_")
    return host if sep and host else node_id


@dataclass
class WorkerLossWatch:
    """Called once a second with the master's clients; reports through the session's callbacks."""

    announce: Callable[[str, str], None]
    """``(line, kind)``: annotate the run and tell the operator (stderr / message line)."""
    warn: Callable[[RunWarning], object]
    """Add a warning to the run's result (summary, run.toml)."""
    respawn: Callable[[], None]
    """Dispatch the target users again (non-blocking: spawns the runner's start in a greenlet)."""
    lost: dict[str, str] = field(default_factory=dict)
    """Lost worker id -> its host, until it comes back."""
    respawned: set[str] = field(default_factory=set)
    lost_total: int = 0
    seen_alive: dict[int, float] = field(default_factory=dict)
    """Local worker process -> when a check of the live run last saw it alive (monotonic seconds)."""
    last_track: float = 0.0

    def reset(self) -> None:
        self.seen_alive.clear()
        self.lost.clear()
        self.respawned.clear()
        self.lost_total = 0

    def check(self, nodes: Iterable[Any], *, running: bool) -> None:
        nodes = list(nodes)
        survivors = [n for n in nodes if n.state != "missing" and n.heartbeat > LOST_AT_HEARTBEAT]
        for node in nodes:
            silent = node.state == "missing" or node.heartbeat <= LOST_AT_HEARTBEAT
            if silent and node.id not in self.lost:
                self.lost[node.id] = host = worker_host(node.id)
                self.lost_total += 1
                users = f" with {node.user_count} user(s)" if node.user_count else ""
                line = (
                    f"worker lost: {node.id} on host {host}{users} (no heartbeat for 3 s); "
                    f"{len(survivors)} worker(s) left"
                )
                self.announce(line, "worker")
                lost = f"worker lost mid-run: {node.id} on host {host}"
                self.warn(RunWarning(WarningKind.WORKER_LOST, lost))
            elif not silent and node.id in self.lost:
                del self.lost[node.id]
                self.respawned.discard(node.id)
                self.announce(f"worker back: {node.id} on host {worker_host(node.id)}", "worker")
        gone = {n.id for n in nodes if n.state == "missing"} - self.respawned
        if running and gone & set(self.lost) and survivors:
            self.respawned |= gone
            self.respawn()
            self.announce(
                f"users of {len(gone)} lost worker(s) re-spawned on {len(survivors)} survivor(s)", "users"
            )

    def track(self, pids: Iterable[int], now: float | None = None) -> None:
        """The local worker processes alive now, while the run is live (called with each check)."""
        self.last_track = time.monotonic() if now is None else now
        for pid in pids:
            self.seen_alive[pid] = self.last_track

    def check_exits(self, ended_by_signal: dict[int, int]) -> None:
        """After the run stopped: a local worker a signal ended since the last live check is lost too (the
        master stops hearing heartbeats once it quits, so the heartbeat check cannot see it)."""
        for pid, signum in sorted(ended_by_signal.items()):
            # alive shortly before the run stopped: too recent for the heartbeat check to have flagged it
            seen = self.seen_alive.pop(pid, None)
            if seen is None or seen < self.last_track - EXIT_GRACE_S:
                continue
            self.lost_total += 1
            name = _signal_name(signum)
            line = (
                f"worker lost: process {pid} ended by {name} as the run stopped (its last report is missing)"
            )
            self.announce(line, "worker")
            self.warn(RunWarning(WarningKind.WORKER_LOST, f"worker process {pid} lost at the end ({name})"))

    def thresholds(self) -> tuple[ThresholdResult, ...]:
        """A failed ``workers lost`` check while a lost worker is still away (none otherwise)."""
        if not self.lost:
            return ()
        return (ThresholdResult("workers", "lost", 1.0, float(len(self.lost)), False, "<"),)


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
