"""The run's total split into consecutive time blocks: what a comparison reads to see how much the run's
own figures moved while it ran (its noise). Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TimeBlock:
    """All requests (of every endpoint) that ended in ``seconds`` consecutive seconds from ``start``."""

    start: int
    """Epoch second the block starts at."""
    seconds: int
    requests: int
    failures: int
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    def value(self, metric: str) -> float | None:
        """``p50``, ``p95``, ``p99``, ``avg`` (ms) or ``rps`` of this block."""
        if metric == "rps":
            return self.requests / self.seconds if self.seconds else None
        if metric == "avg":
            return self.mean_ms
        return {"p50": self.p50_ms, "p95": self.p95_ms, "p99": self.p99_ms}.get(metric)
