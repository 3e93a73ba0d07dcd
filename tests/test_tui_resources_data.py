"""Hand-built, deterministic resource samples for the resource panel tests; holds no tests itself."""

from __future__ import annotations

from perfconsole.model.resources import ProcessSample, ResourceSample, SystemSample
from perfconsole.resources.saturation import saturation_warning

MB = 2**20
TARGET_PID = 4242


def resource_sample(
    t: float,
    *,
    worker_cpu: float = 40.0,
    target_cpu: float | None = 35.0,
    pool_in_use: float = 6.0,
    queue: float = 12.0,
    memory_pct: float = 41.0,
    with_target: bool = True,
    with_metrics: bool = True,
) -> ResourceSample:
    """One tick: console + two local workers, a two-core box, the target and its scraped metrics."""
    target = (
        ProcessSample(
            "target",
            TARGET_PID,
            target_cpu,
            rss_bytes=int((80 + t * 0.05) * MB),
            threads=12,
            open_fds=40,
            connections=22,
            process_count=1,
        )
        if with_target
        else None
    )
    metrics = (
        {
            "db_pool_in_use": pool_in_use,
            "db_pool_size": 10.0,
            "queue_depth": queue,
            "requests_in_flight": 3.0,
            "server_rps": 210.0,
        }
        if with_metrics
        else {}
    )
    return ResourceSample(
        timestamp=1_700_000_000.0 + t,
        elapsed_s=t,
        system=SystemSample((63.0, 58.0), memory_pct, 0.0, (1.52, 1.2, 0.9)),
        console=ProcessSample("console", 100, 12.0, rss_bytes=90 * MB, threads=6),
        local_workers=(
            ProcessSample("worker 1001", 1001, worker_cpu, rss_bytes=60 * MB, threads=4),
            ProcessSample("worker 1002", 1002, 30.0, rss_bytes=58 * MB, threads=4),
        ),
        target=target,
        target_connections={"ESTABLISHED": 20, "TIME_WAIT": 5} if with_target else {},
        metrics=metrics,
    )


def ramp_samples(seconds: int = 95, busy_from: float | None = None) -> list[ResourceSample]:
    """Load climbing: target CPU, pool use and queue grow with time; a worker is busy from ``busy_from``."""
    samples = []
    for t in range(seconds + 1):
        busy = busy_from is not None and t >= busy_from
        samples.append(
            resource_sample(
                float(t),
                worker_cpu=97.0 if busy else 20.0 + t * 0.3,
                target_cpu=min(85.0, 10.0 + t * 0.6),
                pool_in_use=min(9.0, 1 + t // 12),
                queue=float(t * 2),
            )
        )
    return samples


def busy_warning(cpu: float = 97.0) -> str:
    return saturation_warning("worker 1001", cpu, 90.0)
