"""Resource sampling while a load test runs: generator and target processes, system, connections,
scraped target metrics, generator saturation, preflight checks, resource thresholds and peaks.

No Textual, no engine session: the engine drives :class:`ResourceMonitor` about once a second.
"""

from perfconsole.model.resources import ProcessSample, ResourceSample, SystemSample
from perfconsole.resources.monitor import MonitorUpdate, ResourceMonitor
from perfconsole.resources.options import ResourceLimits, ResourceOptions
from perfconsole.resources.preflight import PreflightResult, preflight
from perfconsole.resources.prometheus import MetricsPage, extract_series, parse_prometheus_text
from perfconsole.resources.saturation import SaturationDetector
from perfconsole.resources.summary import ResourceHistory, ResourcePeaks
from perfconsole.resources.thresholds import describe_resource_threshold, evaluate_resource_thresholds

__all__ = [
    "MetricsPage",
    "MonitorUpdate",
    "PreflightResult",
    "ProcessSample",
    "ResourceHistory",
    "ResourceLimits",
    "ResourceMonitor",
    "ResourceOptions",
    "ResourcePeaks",
    "ResourceSample",
    "SaturationDetector",
    "SystemSample",
    "describe_resource_threshold",
    "evaluate_resource_thresholds",
    "extract_series",
    "parse_prometheus_text",
    "preflight",
]
