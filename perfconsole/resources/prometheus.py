"""Parser for the Prometheus text exposition format (version 0.0.4), and series extraction. Pure.

Handles ``# HELP``/``# TYPE`` and other comments, labels with escapes, NaN/+Inf/-Inf and optional
timestamps. Histogram ``_bucket`` series are dropped (a console has no use for them); a line that
cannot be parsed is counted and skipped rather than failing the whole page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE_HEAD = re.compile(rf"^({_NAME})\s*(\{{)?")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,)?')
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}
_SPECIAL_VALUES = {"nan": math.nan, "+inf": math.inf, "inf": math.inf, "-inf": -math.inf}


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One line of the page: ``name{labels} value``."""

    name: str
    labels: Mapping[str, str]
    value: float
    timestamp_ms: int | None = None


@dataclass(frozen=True, slots=True)
class MetricsPage:
    """A parsed page."""

    samples: tuple[MetricSample, ...]
    types: Mapping[str, str] = field(default_factory=dict)
    """Metric family -> ``counter``, ``gauge``, ``histogram``, ``summary`` or ``untyped``."""
    skipped_lines: int = 0
    """Lines that were neither comments nor valid samples."""

    def values(self, name: str, **labels: str) -> list[float]:
        """Values of every series called ``name`` whose labels include ``labels``."""
        return [
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        ]

    def total(self, name: str, **labels: str) -> float | None:
        """Sum over the matching series (NaN ones ignored); ``None`` when the metric is absent."""
        found = self.values(name, **labels)
        if not found:
            return None
        return sum(v for v in found if not math.isnan(v))


def _unescape(value: str) -> str:
    return re.sub(r"\\[\\\"n]", lambda m: _ESCAPES[m.group(0)], value)


def parse_value(text: str) -> float:
    """A sample value: a Go-style float, ``NaN``, ``+Inf`` or ``-Inf``. Raises ValueError."""
    special = _SPECIAL_VALUES.get(text.lower())
    return special if special is not None else float(text)


def _parse_sample(line: str) -> MetricSample | None:
    head = _SAMPLE_HEAD.match(line)
    if head is None:
        return None
    name = head.group(1)
    labels: dict[str, str] = {}
    pos = head.end()
    if head.group(2):
        while True:
            rest = line[pos:].lstrip()
            if rest.startswith("}"):
                pos = len(line) - len(rest) + 1
                break
            label = _LABEL.match(line, pos)
            if label is None:
                return None
            labels[label.group(1)] = _unescape(label.group(2))
            pos = label.end()
            if label.group(3) is None:
                rest = line[pos:].lstrip()
                if not rest.startswith("}"):
                    return None
                pos = len(line) - len(rest) + 1
                break
    elif head.end() == len(name):
        return None  # no whitespace between name and value
    parts = line[pos:].split()
    if not parts or len(parts) > 2:
        return None
    try:
        value = parse_value(parts[0])
        timestamp = int(parts[1]) if len(parts) == 2 else None
    except ValueError:
        return None
    return MetricSample(name, labels, value, timestamp)


def _family(name: str, types: Mapping[str, str]) -> tuple[str, str]:
    """(family, type) of a series name, e.g. ``http_seconds_bucket`` -> (``http_seconds``, histogram)."""
    if name in types:
        return name, types[name]
    for suffix in ("_bucket", "_sum", "_count", "_total", "_created"):
        if name.endswith(suffix) and name[: -len(suffix)] in types:
            base = name[: -len(suffix)]
            return base, types[base]
    return name, "untyped"


def parse_prometheus_text(text: str) -> MetricsPage:
    """Parse a whole page; never raises on malformed lines (see :attr:`MetricsPage.skipped_lines`)."""
    samples: list[MetricSample] = []
    types: dict[str, str] = {}
    skipped = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            words = line[1:].split(None, 3)
            if len(words) >= 3 and words[0] == "TYPE":
                types[words[1]] = words[2].lower()
            continue
        sample = _parse_sample(line)
        if sample is None:
            skipped += 1
            continue
        family, kind = _family(sample.name, types)
        if sample.name.endswith("_bucket") and (kind == "histogram" or "le" in sample.labels):
            continue
        samples.append(sample)
    return MetricsPage(tuple(samples), types, skipped)


def extract_series(page: MetricsPage, series: Mapping[str, str]) -> dict[str, float]:
    """Role -> summed value for each configured metric present on the page (absent ones are left out)."""
    found: dict[str, float] = {}
    for role, metric in series.items():
        value = page.total(metric)
        if value is not None:
            found[role] = value
    return found


def counter_rates(
    previous: Mapping[str, float], current: Mapping[str, float], seconds: float
) -> dict[str, float]:
    """Per-second rates of counters between two scrapes; a counter that went down (restart) is skipped."""
    if seconds <= 0:
        return {}
    return {
        role: (value - previous[role]) / seconds
        for role, value in current.items()
        if role in previous and value >= previous[role]
    }
