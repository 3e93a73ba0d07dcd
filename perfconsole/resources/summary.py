"""Keeps a run's resource samples in bounded memory and reports peaks, the target's RSS trend and a summary.

Full resolution for the most recent ``recent_window_s`` (an hour by default); older samples are thinned to
one per ``archive_step_s`` and the archive halves its resolution whenever it fills, so memory stays bounded
on endurance runs. Peaks are tracked on every sample, so thinning never loses them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from perfconsole.model.resources import ResourceSample
from perfconsole.resources.trend import LinearFit, mb_per_minute

MB = 2**20

LEAK_MB_PER_MIN = 1.0
"""An RSS slope at or above this, sustained over LEAK_MIN_SPAN_S, flags a possible leak."""
LEAK_MIN_SPAN_S = 300.0
LEAK_MIN_R_SQUARED = 0.5


@dataclass(slots=True)
class _Peak:
    value: float | None = None
    where: str | None = None

    def offer(self, value: float | None, where: str | None = None) -> None:
        if value is None or math.isnan(value):
            return
        if self.value is None or value > self.value:
            self.value = value
            self.where = where


@dataclass(slots=True)
class ResourcePeaks:
    """Highest values seen over the run (``None``: never measured)."""

    generator_cpu_pct: float | None = None
    """Console + workers summed (% of one core)."""
    generator_max_cpu_pct: float | None = None
    """Busiest single generator process."""
    generator_max_cpu_label: str | None = None
    generator_rss_bytes: float | None = None
    system_cpu_pct: float | None = None
    memory_pct: float | None = None
    swap_pct: float | None = None
    load_avg_1m: float | None = None
    target_cpu_pct: float | None = None
    target_cpu_sustained_pct: float | None = None
    """Highest mean of the target's CPU over ``sustain_samples`` consecutive samples."""
    target_rss_bytes: float | None = None
    target_threads: float | None = None
    target_open_fds: float | None = None
    target_connections: float | None = None
    connections_to_target: float | None = None
    db_pool_pct: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)


def _json_number(value: float | None) -> float | None:
    """Plain JSON: NaN/Inf become None, whole floats stay floats."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return round(value, 3)


def _fmt(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


class ResourceHistory:
    """The samples of one run, their peaks and warnings."""

    def __init__(
        self,
        recent_window_s: float = 3600.0,
        archive_step_s: float = 60.0,
        max_archive: int = 1440,
        sustain_samples: int = 5,
    ) -> None:
        self.recent_window_s = recent_window_s
        self.archive_step_s = archive_step_s
        self.max_archive = max_archive
        self.sustain_samples = max(1, sustain_samples)
        self._recent: deque[ResourceSample] = deque()
        self._archive: list[ResourceSample] = []
        self._target_cpu_window: deque[float] = deque(maxlen=self.sustain_samples)
        self._peaks: dict[str, _Peak] = {}
        self._metric_peaks: dict[str, _Peak] = {}
        self.sample_count = 0
        self.warnings: list[str] = []
        self.target_label: str | None = None
        """How the target was found, e.g. ``pid 123 (python3), listening on port 8000``."""
        self.remote_target: str | None = None
        """The target's host when it is not on this machine (no process figures can be taken)."""
        self.first: ResourceSample | None = None
        self.last: ResourceSample | None = None

    # -- input ------------------------------------------------------------------------------------------

    def add(self, sample: ResourceSample) -> None:
        """Record one sample (samples must come in time order)."""
        self.sample_count += 1
        if self.first is None:
            self.first = sample
        self.last = sample
        self._recent.append(sample)
        while self._recent and sample.elapsed_s - self._recent[0].elapsed_s > self.recent_window_s:
            self._retire(self._recent.popleft())
        self._update_peaks(sample)

    def add_warning(self, warning: str) -> None:
        self.warnings.append(warning)

    def _retire(self, sample: ResourceSample) -> None:
        if self._archive and sample.elapsed_s - self._archive[-1].elapsed_s < self.archive_step_s:
            return
        self._archive.append(sample)
        if len(self._archive) > self.max_archive:
            self._archive = self._archive[::2]
            self.archive_step_s *= 2

    def _peak(self, name: str) -> _Peak:
        return self._peaks.setdefault(name, _Peak())

    def _update_peaks(self, s: ResourceSample) -> None:
        busiest = max(s.generator_processes, key=lambda p: p.cpu_pct or 0.0, default=None)
        if busiest is not None and busiest.cpu_pct is not None:
            self._peak("generator_max_cpu_pct").offer(busiest.cpu_pct, busiest.label)
        if s.generator_processes:
            self._peak("generator_cpu_pct").offer(s.generator_cpu_pct)
            self._peak("generator_rss_bytes").offer(float(s.generator_rss_bytes))
        self._peak("system_cpu_pct").offer(s.system.cpu_pct)
        self._peak("memory_pct").offer(s.system.memory_pct)
        self._peak("swap_pct").offer(s.system.swap_pct)
        self._peak("load_avg_1m").offer(s.system.load_avg[0])
        if s.target is not None:
            target = s.target
            self._peak("target_cpu_pct").offer(target.cpu_pct)
            if target.cpu_pct is not None:
                self._target_cpu_window.append(target.cpu_pct)
                window = self._target_cpu_window
                if len(window) == window.maxlen or self.sample_count <= self.sustain_samples:
                    self._peak("target_cpu_sustained_pct").offer(sum(window) / len(window))
            details: tuple[tuple[str, int | None], ...] = (
                ("target_rss_bytes", target.rss_bytes),
                ("target_threads", target.threads),
                ("target_open_fds", target.open_fds),
                ("target_connections", target.connections),
            )
            for name, count in details:
                self._peak(name).offer(None if count is None else float(count))
        if s.target_connections:
            self._peak("connections_to_target").offer(float(sum(s.target_connections.values())))
        self._peak("db_pool_pct").offer(s.db_pool_pct)
        for role, value in s.metrics.items():
            self._metric_peaks.setdefault(role, _Peak()).offer(value)

    # -- output -----------------------------------------------------------------------------------------

    @property
    def samples(self) -> list[ResourceSample]:
        """Kept samples, oldest first (thinned beyond the recent window)."""
        return self._archive + list(self._recent)

    def peaks(self) -> ResourcePeaks:
        peaks = ResourcePeaks(
            metrics={role: p.value for role, p in self._metric_peaks.items() if p.value is not None}
        )
        for name, peak in self._peaks.items():
            setattr(peaks, name, peak.value)
        peaks.generator_max_cpu_label = self._peak("generator_max_cpu_pct").where
        return peaks

    def target_rss_trend(self) -> LinearFit | None:
        """Least-squares RSS trend of the target in MB/min over the kept samples."""
        points = [(s.elapsed_s, s.target.rss_bytes) for s in self.samples if s.target and s.target.rss_bytes]
        return mb_per_minute([t for t, _ in points], [float(b) for _, b in points]) if points else None

    def leak_suspected(self) -> bool:
        fit = self.target_rss_trend()
        return (
            fit is not None
            and fit.slope >= LEAK_MB_PER_MIN
            and fit.span * 60.0 >= LEAK_MIN_SPAN_S
            and fit.r_squared >= LEAK_MIN_R_SQUARED
        )

    def series(self, max_points: int = 600) -> dict[str, object]:
        """Compact columns of the kept samples, evenly thinned to at most ``max_points``."""
        kept = self.samples
        if len(kept) > max_points > 0:
            step = len(kept) / max_points
            kept = [kept[int(i * step)] for i in range(max_points)]
        roles = sorted({role for s in kept for role in s.metrics})

        def column(values: Iterable[float | None]) -> list[float | None]:
            return [_json_number(v) for v in values]

        return {
            "elapsed_s": column(s.elapsed_s for s in kept),
            "generator_cpu_pct": column(s.generator_cpu_pct for s in kept),
            "generator_max_cpu_pct": column(s.generator_max_cpu_pct for s in kept),
            "system_cpu_pct": column(s.system.cpu_pct for s in kept),
            "memory_pct": column(s.system.memory_pct for s in kept),
            "target_cpu_pct": column(s.target.cpu_pct if s.target else None for s in kept),
            "generator_rss_mb": column(
                s.generator_rss_bytes / MB if s.generator_processes else None for s in kept
            ),
            "target_rss_mb": column(
                s.target.rss_bytes / MB if s.target and s.target.rss_bytes is not None else None for s in kept
            ),
            "metrics": {role: column(s.metrics.get(role) for s in kept) for role in roles},
        }

    def to_dict(self, max_points: int = 600) -> dict[str, object]:
        """Peaks, trend, warnings and series as plain JSON types (for snapshots and ``--json``)."""
        peaks = self.peaks()
        fit = self.target_rss_trend()
        peak_values: dict[str, object] = {
            name: _json_number(getattr(peaks, name))
            for name in ResourcePeaks.__dataclass_fields__
            if name not in ("metrics", "generator_max_cpu_label")
        }
        peak_values["generator_max_cpu_label"] = peaks.generator_max_cpu_label
        peak_values["metrics"] = {role: _json_number(v) for role, v in sorted(peaks.metrics.items())}
        last = self.last
        return {
            "sample_count": self.sample_count,
            "duration_s": _json_number(last.elapsed_s - self.first.elapsed_s) if last and self.first else 0.0,
            "peaks": peak_values,
            "target": {
                "found": self.target_label is not None,
                "label": self.target_label,
                "elsewhere": self.remote_target,
                "rss_trend_mb_per_min": _json_number(fit.slope) if fit else None,
                "rss_trend_r_squared": _json_number(fit.r_squared) if fit else None,
                "leak_suspected": self.leak_suspected(),
            },
            "warnings": list(self.warnings),
            "series": self.series(max_points),
        }

    def summary_lines(self) -> list[str]:
        """Human summary, one fact per line, for the text report."""
        if self.sample_count == 0:
            return ["resources: not sampled"]
        p = self.peaks()
        lines = []
        if p.generator_cpu_pct is not None:
            busiest = f" ({p.generator_max_cpu_label})" if p.generator_max_cpu_label else ""
            rss = "n/a" if p.generator_rss_bytes is None else f"{p.generator_rss_bytes / MB:.0f} MB"
            lines.append(
                f"generator: peak CPU {_fmt(p.generator_max_cpu_pct, '%')}{busiest} busiest process, "
                f"{_fmt(p.generator_cpu_pct, '%')} total; RSS {rss}"
            )
        lines.append(
            f"system: peak CPU {_fmt(p.system_cpu_pct, '%')}, memory {_fmt(p.memory_pct, '%')}, "
            f"swap {_fmt(p.swap_pct, '%')}, load {_fmt(p.load_avg_1m, '', 2)}"
        )
        if self.target_label is None and p.target_rss_bytes is None and self.remote_target:
            where = f"{self.remote_target} is not on this machine"
            lines.append(f"target process: none, {where} (its metrics: --metrics-url)")
        elif self.target_label is None and p.target_rss_bytes is None:
            lines.append("target process: not watched")
        else:
            fit = self.target_rss_trend()
            trend = "n/a" if fit is None else f"{fit.slope:+.2f} MB/min"
            leak = " - possible memory leak" if self.leak_suspected() else ""
            rss = "n/a" if p.target_rss_bytes is None else f"{p.target_rss_bytes / MB:.0f} MB"
            label = f" {self.target_label}" if self.target_label else ""
            lines.append(
                f"target{label}: peak CPU {_fmt(p.target_cpu_pct, '%')} "
                f"(sustained {_fmt(p.target_cpu_sustained_pct, '%')}), RSS {rss}, "
                f"threads {_fmt(p.target_threads)}, open fds {_fmt(p.target_open_fds)}, "
                f"connections {_fmt(p.target_connections)}; RSS trend {trend}{leak}"
            )
        if p.connections_to_target is not None:
            lines.append(f"connections to target: peak {p.connections_to_target:.0f}")
        if p.metrics:
            lines.append("target metrics (peak): " + _metrics_text(p.metrics, p.db_pool_pct))
        lines.extend(f"warning: {w}" for w in self.warnings)
        return lines


def _metrics_text(metrics: Mapping[str, float], db_pool_pct: float | None) -> str:
    parts = []
    for role, value in sorted(metrics.items()):
        unit = " req/s" if role.endswith("_rps") else ""
        parts.append(f"{role.replace('_', ' ')} {value:g}{unit}")
    if db_pool_pct is not None:
        parts.append(f"db pool {db_pool_pct:.0f}% of size")
    return ", ".join(parts)
