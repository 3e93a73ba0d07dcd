"""Immutable resource samples: what one tick of the sampler saw. Pure data, no psutil."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ProcessSample:
    """One process (or a process tree, summed) at one instant."""

    label: str
    """``console``, ``worker <pid>``, a Locust worker id, or ``target``."""
    pid: int | None
    cpu_pct: float | None
    """CPU as % of one core since the previous sample (can pass 100 with threads); None on the first."""
    rss_bytes: int | None = None
    threads: int | None = None
    open_fds: int | None = None
    """Open file descriptors (files and sockets)."""
    connections: int | None = None
    """TCP connections held (target only)."""
    process_count: int = 1
    """Processes summed into this sample (a target with workers counts them all)."""


@dataclass(frozen=True, slots=True)
class SystemSample:
    """The machine the console runs on."""

    cpu_per_core_pct: tuple[float, ...]
    memory_pct: float
    swap_pct: float
    load_avg: tuple[float, float, float]

    @property
    def cpu_pct(self) -> float:
        """Mean CPU over all cores."""
        cores = self.cpu_per_core_pct
        return sum(cores) / len(cores) if cores else 0.0


@dataclass(frozen=True, slots=True)
class ResourceSample:
    """Everything sampled at one tick (about 1 Hz)."""

    timestamp: float
    elapsed_s: float
    system: SystemSample
    console: ProcessSample | None = None
    local_workers: tuple[ProcessSample, ...] = ()
    """Worker processes on this machine, measured with psutil."""
    remote_workers: tuple[ProcessSample, ...] = ()
    """Workers known only from Locust heartbeats (CPU, memory)."""
    target: ProcessSample | None = None
    target_connections: Mapping[str, int] = field(default_factory=dict)
    """TCP connections from this machine to the target address, by state (``ESTABLISHED`` ...)."""
    metrics: Mapping[str, float] = field(default_factory=dict)
    """Latest scraped series by role (``db_pool_in_use``, ``queue_depth`` ...)."""

    @property
    def generator_processes(self) -> tuple[ProcessSample, ...]:
        """Console and every worker: the processes whose saturation skews the figures."""
        console = (self.console,) if self.console is not None else ()
        return console + self.local_workers + self.remote_workers

    @property
    def generator_cpu_pct(self) -> float:
        """Summed CPU of console and workers (% of one core)."""
        return sum(p.cpu_pct or 0.0 for p in self.generator_processes)

    @property
    def generator_max_cpu_pct(self) -> float:
        """CPU of the busiest generator process (what saturation is judged on)."""
        return max((p.cpu_pct or 0.0 for p in self.generator_processes), default=0.0)

    @property
    def generator_rss_bytes(self) -> int:
        return sum(p.rss_bytes or 0 for p in self.generator_processes)

    @property
    def db_pool_pct(self) -> float | None:
        """DB connections in use as % of the pool size, if both were scraped."""
        in_use = self.metrics.get("db_pool_in_use")
        size = self.metrics.get("db_pool_size")
        if in_use is None or not size:
            return None
        return 100.0 * in_use / size
