"""Response-time percentiles of one endpoint or window (plain data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Response-time percentiles in milliseconds; ``None`` where there is no data (current window idle)."""

    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    p999: float | None = None
    max: float | None = None

    def get(self, label: str) -> float | None:
        """Value by label: ``p50``, ``p90``, ``p95``, ``p99``, ``p99.9`` or ``max``."""
        return getattr(self, label.replace(".", ""))
