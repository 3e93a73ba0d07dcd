"""The soak verdict on real 3-minute runs against the demo target: with a leak per request and a latency
that drifts with time the run is "degrading" and names both trends; the same run without the knobs is
"stable". The two runs go side by side, each against its own demo target (``soak_runs``: the runs, their
settings and why a busy box does not sway them). conftest's ``soak_runs`` fixture starts them before the
first test, so in a whole suite the 3 minutes pass beside the other tests; alone, this test takes 3 minutes.
"""

from __future__ import annotations

import pytest
from soak_runs import SoakRun

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]


def test_a_leak_and_a_drift_are_degrading_a_steady_run_is_stable(
    soak_runs: dict[str, SoakRun] | None,
) -> None:
    assert soak_runs is not None, "conftest starts the runs when this test is selected"
    steady, degrading = soak_runs["steady"].verdict(), soak_runs["degrading"].verdict()
    for name, verdict in (("steady", steady), ("with the knobs", degrading)):
        print(name, [(t["name"], round(t["slope"], 1), round(t["r_squared"], 2)) for t in verdict["trends"]])
    assert steady["text"] == "stable", steady
    assert degrading["degrading"] is True, degrading
    named = {t["name"] for t in degrading["trends"] if t["degrading"]}
    assert {"p95", "target RSS"} <= named, degrading
    assert degrading["text"].startswith("degrading: p95 +") and "target RSS +" in degrading["text"]
