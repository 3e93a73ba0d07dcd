"""Resource sampling while a load test runs: generator and target processes, system, connections,
scraped target metrics, generator saturation, preflight checks and peaks
(the thresholds on them are judged in perfconsole.verdicts.resources).

No Textual, no engine session: the engine drives :class:`ResourceMonitor` about once a second.
"""

from perfconsole.model.resources import ProcessSample, ResourceSample, SystemSample
from perfconsole.resources.monitor import MonitorUpdate, ResourceMonitor
from perfconsole.resources.options import ResourceOptions
from perfconsole.resources.preflight import PreflightResult, preflight
from perfconsole.resources.prometheus import MetricsPage, extract_series, parse_prometheus_text
from perfconsole.resources.saturation import SaturationDetector
from perfconsole.resources.summary import ResourceHistory, ResourcePeaks

__all__ = [
    "MetricsPage",
    "MonitorUpdate",
    "PreflightResult",
    "ProcessSample",
    "ResourceHistory",
    "ResourceMonitor",
    "ResourceOptions",
    "ResourcePeaks",
    "ResourceSample",
    "SaturationDetector",
    "SystemSample",
    "extract_series",
    "parse_prometheus_text",
    "preflight",
]
