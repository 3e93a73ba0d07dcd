"""The soak verdict of a long run: its trends and whether any is degrading. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

STABLE = "stable"


@dataclass(frozen=True, slots=True)
class Trend:
    """One series' least-squares trend over the run."""

    name: str
    """``p95``, ``error rate``, ``target RSS``, ``generator RSS``."""
    slope: float
    unit: str
    """``%/h`` (p95, of its mean), ``pts/h`` (error rate), ``MB/min`` (memory)."""
    r_squared: float
    limit: float
    min_r_squared: float

    @property
    def degrading(self) -> bool:
        return self.slope > self.limit and self.r_squared >= self.min_r_squared

    @property
    def text(self) -> str:
        """``p95 +35 %/h (r² 0.91)``."""
        return f"{self.name} {self.slope:+.3g} {self.unit} (r² {self.r_squared:.2f})"


@dataclass(frozen=True, slots=True)
class SoakVerdict:
    trends: tuple[Trend, ...]
    duration_s: float

    @property
    def degrading(self) -> bool:
        return any(t.degrading for t in self.trends)

    @property
    def text(self) -> str:
        """``stable`` or ``degrading: p95 +35 %/h (r² 0.91), target RSS +4.1 MB/min (r² 0.97)``."""
        worse = [t.text for t in self.trends if t.degrading]
        return f"degrading: {', '.join(worse)}" if worse else STABLE
