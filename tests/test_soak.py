"""The soak verdict (perfconsole.verdicts.soak) on synthetic histories: a steady drift of p95 or memory is
"degrading" with its slope and r², noise without direction and short runs are not; saved, shown, read back."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from test_store_factories import STARTED_AT, make_result

from perfconsole.config import Soak
from perfconsole.headless.summary import summary_text
from perfconsole.headless.summary_json import summary_dict
from perfconsole.model.run import HistoryPoint, RunResult
from perfconsole.store.data_codec import result_from_dict, result_to_dict
from perfconsole.verdicts.soak import soak_verdict

RULES = Soak(min_duration_s=600.0)


def run(
    seconds: int, p95: list[float], rss_mb: list[float] | None = None, fail_pct: float = 0.0
) -> RunResult:
    history = tuple(
        HistoryPoint(float(t), STARTED_AT + t, 10, 100.0, fail_pct, 10.0, p95[t], 2 * p95[t])
        for t in range(seconds)
    )
    resources: dict[str, object] = {}
    if rss_mb is not None:
        elapsed = list(range(0, seconds, 5))
        resources = {
            "series": {
                "elapsed_s": elapsed,
                "target_rss_mb": [rss_mb[t] for t in elapsed],
                "generator_rss_mb": [120.0 for _ in elapsed],
            }
        }
    return replace(make_result(), history=history, ended_at=STARTED_AT + seconds, resources=resources)


def test_a_steady_run_is_stable_whatever_its_noise() -> None:
    rng = random.Random(4)
    noisy = [30.0 * rng.uniform(0.7, 1.3) for _ in range(1200)]
    verdict = soak_verdict(run(1200, noisy, [200.0 + rng.uniform(-3, 3) for _ in range(1200)]), RULES)
    assert verdict is not None and verdict.text == "stable" and not verdict.degrading
    assert {t.name for t in verdict.trends} == {"p95", "error rate", "target RSS", "generator RSS"}


def test_drifting_latency_and_a_leak_are_degrading_with_both_trends_named() -> None:
    rng = random.Random(5)
    drifting = [30.0 * (1 + 0.35 * t / 3600) * rng.uniform(0.95, 1.05) for t in range(1800)]
    leaking = [200.0 + 4.1 * t / 60 + rng.uniform(-1, 1) for t in range(1800)]
    verdict = soak_verdict(run(1800, drifting, leaking), RULES)
    assert verdict is not None and verdict.degrading
    text = verdict.text
    assert (
        text.startswith("degrading: p95 +")
        and "%/h (r² " in text
        and "target RSS +4.1 MB/min (r² 1.00)" in text
    )
    p95 = next(t for t in verdict.trends if t.name == "p95")
    assert 25 < p95.slope < 45  # about +35 % of the mean per hour
    assert "generator RSS" not in text


def test_short_runs_get_no_verdict() -> None:
    assert soak_verdict(run(300, [30.0] * 300), RULES) is None


def test_the_verdict_is_saved_shown_and_read_back() -> None:
    leaking = [200.0 + 4.0 * t / 60 for t in range(900)]
    result = run(900, [30.0] * 900, leaking)
    result = replace(result, soak=soak_verdict(result, RULES))
    back = result_from_dict(json.loads(json.dumps(result_to_dict(result))))
    assert back.soak == result.soak
    assert summary_dict(result)["soak"]["text"].startswith("degrading: target RSS +4 MB/min")
    assert "Soak: degrading: target RSS +4 MB/min (r² 1.00)" in summary_text(result, None)
    assert result_from_dict({**result_to_dict(result), "soak": {"trends": "x"}}).soak is None
