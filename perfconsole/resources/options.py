"""Resource-monitoring options and limits, with the defaults of ``Settings.resources``.

:meth:`ResourceOptions.from_settings` reads ``Settings.resources`` (perfconsole.config) by attribute name;
the options config.toml does not carry (target pid/name, series names) keep their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from perfconsole.config import ResourceThresholds
from perfconsole.config.schema import BUILT_IN

DEFAULT_SERIES: dict[str, str] = {
    "db_pool_in_use": "demo_db_pool_in_use",
    "db_pool_size": "demo_db_pool_size",
    "queue_depth": "demo_queue_depth",
    "requests_in_flight": "demo_requests_in_flight",
}
"""Scraped gauges: role -> Prometheus metric name (summed over label sets)."""

DEFAULT_RATE_SERIES: dict[str, str] = {"server_rps": "demo_requests_total"}
"""Scraped counters reported as a per-second rate between scrapes: role -> metric name."""


@dataclass(frozen=True, slots=True)
class ResourceOptions:
    """What to sample and scrape, and how often."""

    metrics_url: str | None = None
    """Prometheus text endpoint of the target (``None``: no scraping)."""
    scrape_interval_s: float = float(BUILT_IN.resources.scrape_interval_s)
    scrape_timeout_s: float = 2.0
    health_path: str | None = None
    """Path (under the host URL) that must answer 2xx in preflight; ``None``: any answer will do."""
    preflight_timeout_s: float = float(BUILT_IN.resources.preflight_timeout_s)
    sample_interval_s: float = 1.0
    target_pid: int | None = None
    target_name: str | None = None
    """Process name of the target (exact match); used when no pid is given."""
    auto_target: bool = True
    """Find the target as the process listening on the host's port when the host is loopback."""
    limits: ResourceThresholds = field(default_factory=ResourceThresholds)
    """Resource thresholds (``[resources.thresholds]`` in config.toml); ``None`` disables one."""
    series: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SERIES))
    rate_series: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATE_SERIES))
    saturation_pct: float = 90.0
    """A generator process above this CPU % makes the figures unreliable."""

    @classmethod
    def from_settings(cls, settings: Any) -> ResourceOptions:
        """Options from ``settings.resources`` (or such a section itself); missing keys keep defaults.

        Limits may be given as a nested ``thresholds``/``limits`` object or flat attributes
        (``target_cpu_pct``, ``memory_pct``, ``db_pool_pct``, ``queue_depth``).
        """
        section = getattr(settings, "resources", settings)
        if section is None:
            return cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name != "limits" and hasattr(section, f.name):
                values[f.name] = getattr(section, f.name)
        limits_source = getattr(section, "thresholds", None) or getattr(section, "limits", None) or section
        limits = ResourceThresholds()
        for f in fields(ResourceThresholds):
            if hasattr(limits_source, f.name):
                limits = replace(limits, **{f.name: getattr(limits_source, f.name)})
        return cls(limits=limits, **values)
