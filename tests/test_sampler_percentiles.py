"""The sampler's window percentiles when no histograms exist (Locust's own figures)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import locust  # noqa: F401  (gevent's patching before the engine)
from locust.stats import RequestStats

from perfconsole.engine.sampler import Sampler


def _sampler(tmp_path: Path) -> Sampler:
    session: Any = SimpleNamespace(hdr=None, settings=SimpleNamespace(runs_dir=tmp_path))
    return Sampler(session)


def test_window_not_yet_covered_gives_no_figures_rather_than_a_crash(tmp_path: Path) -> None:
    stats = RequestStats()
    stats.log_request("GET", "/", 12, 100)
    # Locust's response-time cache is empty until its first per-second tick: it answers None.
    assert stats.total.get_current_response_time_percentile(0.95) is None
    assert _sampler(tmp_path)._current_total_percentiles(stats.total) == (None, None, None)


def test_no_requests_gives_no_figures(tmp_path: Path) -> None:
    assert _sampler(tmp_path)._current_total_percentiles(RequestStats().total) == (None, None, None)
