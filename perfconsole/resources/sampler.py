"""psutil sampling of the console, local workers, the system and the target (about 1 Hz, a few ms each).

``psutil.Process`` objects are kept between samples because ``cpu_percent()`` measures since the previous
call on the same object; system CPU is computed from our own ``cpu_times`` deltas so other callers of
``psutil.cpu_percent`` (Locust's own monitor) cannot disturb it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import psutil

from perfconsole.model.resources import ProcessSample, ResourceSample, SystemSample
from perfconsole.model.run import WorkerInfo
from perfconsole.resources.connections import ConnectionCounts, read_connection_counts
from perfconsole.resources.target import TargetAddress


class _ProcessCache:
    """psutil.Process objects by pid, so CPU deltas span consecutive samples."""

    def __init__(self) -> None:
        self._procs: dict[int, psutil.Process] = {}

    def get(self, pid: int) -> psutil.Process | None:
        proc = self._procs.get(pid)
        if proc is None:
            try:
                proc = psutil.Process(pid)
                proc.cpu_percent(None)  # prime: the first call only sets the baseline
            except psutil.Error:
                return None
            self._procs[pid] = proc
        return proc

    def forget_except(self, pids: Iterable[int]) -> None:
        keep = set(pids)
        for pid in list(self._procs):
            if pid not in keep:
                del self._procs[pid]


CHILDREN_REFRESH_S = 10.0
"""How often process trees are re-read: finding children scans every process on the machine."""


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.Error:
        return []


class ProcessProbe:
    """Samples one process or a whole process tree (summed) by pid."""

    def __init__(self, pid: int, label: str, *, tree: bool = False, detail: bool = False) -> None:
        self.pid = pid
        self.label = label
        self.tree = tree
        self.detail = detail
        """Also count threads and file descriptors (the target's figures)."""
        self._cache = _ProcessCache()
        self._primed = False
        self._children: list[int] = []
        self._children_read_at: float | None = None
        self._identity_read_at: float | None = None
        self._cache.get(pid)

    def _member_pids(self, root: psutil.Process) -> list[int]:
        if not self.tree:
            return [root.pid]
        now = time.monotonic()
        if self._children_read_at is None or now - self._children_read_at >= CHILDREN_REFRESH_S:
            self._children = [child.pid for child in _children(root)]
            self._children_read_at = now
        return [root.pid, *self._children]

    def _root(self) -> psutil.Process | None:
        """The root process; its identity (not a new process under a reused pid) is checked as often as
        the trees are read: a root that is gone fails its reads below in between, which counts the same."""
        root = self._cache.get(self.pid)
        if root is None:
            return None
        now = time.monotonic()
        if self._identity_read_at is None or now - self._identity_read_at >= CHILDREN_REFRESH_S:
            if not root.is_running():
                return None
            self._identity_read_at = now
        return root

    def sample(self) -> ProcessSample | None:
        """The current figures, or ``None`` when the (root) process is gone."""
        root = self._root()
        if root is None:
            return None
        cpu = 0.0
        rss = threads = fds = 0
        alive = []
        for pid in self._member_pids(root):
            cached = self._cache.get(pid)
            if cached is None:
                continue
            try:
                with cached.oneshot():
                    cpu += cached.cpu_percent(None)
                    rss += cached.memory_info().rss
                    if self.detail:
                        threads += cached.num_threads()
                        if sys.platform == "win32":
                            fds += cached.num_handles()
                        else:
                            fds += cached.num_fds()
            except psutil.Error:
                continue
            alive.append(cached.pid)
        if self.pid not in alive:
            return None
        self._cache.forget_except(alive)
        primed, self._primed = self._primed, True
        return ProcessSample(
            label=self.label,
            pid=self.pid,
            cpu_pct=cpu if primed else None,
            rss_bytes=rss,
            threads=threads if self.detail else None,
            open_fds=fds if self.detail else None,
            process_count=len(alive),
        )


class SystemProbe:
    """Per-core CPU from our own ``cpu_times`` deltas, memory, swap and load average."""

    def __init__(self) -> None:
        self._last = psutil.cpu_times(percpu=True)

    @staticmethod
    def _busy_pct(before: object, after: object) -> float:
        def total_and_idle(times: object) -> tuple[float, float]:
            values = times._asdict()  # type: ignore[attr-defined]
            total = sum(values.values()) - values.get("guest", 0.0) - values.get("guest_nice", 0.0)
            idle = values.get("idle", 0.0) + values.get("iowait", 0.0)
            return total, idle

        total_before, idle_before = total_and_idle(before)
        total_after, idle_after = total_and_idle(after)
        elapsed = total_after - total_before
        if elapsed <= 0:
            return 0.0
        return max(0.0, min(100.0, 100.0 * (elapsed - (idle_after - idle_before)) / elapsed))

    def sample(self) -> SystemSample:
        now = psutil.cpu_times(percpu=True)
        per_core = tuple(self._busy_pct(b, a) for b, a in zip(self._last, now, strict=False))
        self._last = now
        try:
            load = psutil.getloadavg()
        except (OSError, AttributeError):
            load = (0.0, 0.0, 0.0)
        return SystemSample(
            cpu_per_core_pct=per_core,
            memory_pct=psutil.virtual_memory().percent,
            swap_pct=psutil.swap_memory().percent,
            load_avg=(float(load[0]), float(load[1]), float(load[2])),
        )


def _short_worker_id(worker_id: str) -> str:
    """Locust ids are ``<hostname>_<32 hex>``: keep the host and 8 hex digits."""
    host, _, tail = worker_id.rpartition("_")
    return f"{host}_{tail[:8]}" if host and len(tail) == 32 else worker_id


class ResourceSampler:
    """One call of :meth:`sample` measures everything once. Not thread-safe; call from one greenlet."""

    def __init__(
        self,
        *,
        console_pid: int | None = None,
        local_worker_pids: Sequence[int] = (),
        target_pid: int | None = None,
        target_label: str = "target",
        target_address: TargetAddress | None = None,
    ) -> None:
        self._console = ProcessProbe(console_pid or os.getpid(), "console")
        self._workers: dict[int, ProcessProbe] = {}
        self._worker_roots: tuple[int, ...] = ()
        self._workers_read_at = 0.0
        self.set_local_workers(local_worker_pids)
        self._target = ProcessProbe(target_pid, target_label, tree=True, detail=True) if target_pid else None
        self.target_address = target_address
        self._system = SystemProbe()
        self._hostname = os.uname().nodename if hasattr(os, "uname") else ""

    def set_local_workers(self, pids: Sequence[int]) -> None:
        """Local worker processes (a ``locust --worker --processes N`` parent counts its children too)."""
        self._worker_roots = tuple(pids)
        self._refresh_workers()

    def set_target(self, pid: int | None, label: str = "target") -> None:
        self._target = ProcessProbe(pid, label, tree=True, detail=True) if pid else None

    @property
    def target_pid(self) -> int | None:
        return self._target.pid if self._target else None

    def _refresh_workers(self, *, force: bool = True) -> None:
        now = time.monotonic()
        if not force and now - self._workers_read_at < CHILDREN_REFRESH_S:
            return
        self._workers_read_at = now
        wanted: set[int] = set()
        for pid in self._worker_roots:
            wanted.add(pid)
            try:
                wanted.update(child.pid for child in psutil.Process(pid).children(recursive=True))
            except psutil.Error:
                continue
        for pid in wanted - self._workers.keys():
            self._workers[pid] = ProcessProbe(pid, f"worker {pid}")
        for pid in self._workers.keys() - wanted:
            del self._workers[pid]

    def local_pids(self) -> frozenset[int]:
        return frozenset(self._workers) | {self._console.pid}

    def _remote(self, workers: Sequence[WorkerInfo]) -> tuple[ProcessSample, ...]:
        local = self.local_pids()
        remote = []
        for worker in workers:
            if worker.pid is not None and worker.pid in local and worker.id.startswith(self._hostname):
                continue  # measured locally already
            remote.append(
                ProcessSample(
                    label=f"worker {_short_worker_id(worker.id)}",
                    pid=worker.pid,
                    cpu_pct=worker.cpu_percent,
                    rss_bytes=worker.memory_bytes or None,
                )
            )
        return tuple(remote)

    def sample(
        self,
        elapsed_s: float,
        *,
        workers: Sequence[WorkerInfo] = (),
        metrics: Mapping[str, float] | None = None,
        timestamp: float | None = None,
    ) -> ResourceSample:
        """Measure now. ``workers`` are the engine's WorkerInfo (remote CPU comes from their heartbeats)."""
        self._refresh_workers(force=False)
        local_workers = tuple(
            s for s in (probe.sample() for _, probe in sorted(self._workers.items())) if s is not None
        )
        counts = read_connection_counts(self.target_address) if self.target_address else ConnectionCounts()
        target = self._target.sample() if self._target else None
        if target is not None and self.target_address is not None and self.target_address.is_local:
            target = replace(target, connections=counts.at_target)
        return ResourceSample(
            timestamp=time.time() if timestamp is None else timestamp,
            elapsed_s=elapsed_s,
            system=self._system.sample(),
            console=self._console.sample(),
            local_workers=local_workers,
            remote_workers=self._remote(workers),
            target=target,
            target_connections=counts.to_target,
            metrics=dict(metrics or {}),
        )
