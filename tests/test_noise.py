"""The noise estimate of comparisons (perfconsole.verdicts.noise), on synthetic histograms with known
distributions: intervals cover the truth, identical distributions are within noise, real shifts are
found, bursty runs get wider intervals than steady ones."""

from __future__ import annotations

import math
import random
from dataclasses import replace

from hdrh.histogram import HdrHistogram
from test_store_factories import make_endpoint, make_result, make_total

from perfconsole.application.comparison_report import comparison_to_dict, render_table
from perfconsole.config import Regression
from perfconsole.model.blocks import TimeBlock
from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import AGGREGATED, RunResult
from perfconsole.verdicts.noise import (
    NOTHING,
    Sample,
    level_variance,
    proportion_interval,
    ratio_interval,
    satterthwaite,
    t95,
)
from perfconsole.verdicts.regression import REGRESSION, WITHIN_NOISE, compare
from perfconsole.verdicts.run_noise import RunNoise, sample_from_blob

KEY = "GET /api/notifications"


def latencies(rng: random.Random, n: int, scale: float = 1.0) -> list[float]:
    """Log-normal response times (ms) around 20 ms with a tail, times ``scale``."""
    return [scale * rng.lognormvariate(math.log(20.0), 0.35) for _ in range(n)]


def sample_of(values_ms: list[float]) -> Sample:
    counts: dict[float, int] = {}
    for v in values_ms:
        bucket = round(v, 2)
        counts[bucket] = counts.get(bucket, 0) + 1
    return Sample.of(counts.items())


def blob_of(values_ms: list[float]) -> str:
    histogram = HdrHistogram(1, 3_600_000_000, 3)
    for v in values_ms:
        histogram.record_value(int(v * 1000))
    return histogram.encode().decode("ascii")


def steady_blocks(values_ms: list[float], seconds: int = 10) -> tuple[TimeBlock, ...]:
    """The values cut into consecutive blocks, each with its own figures."""
    size = len(values_ms) // seconds
    found = []
    for number in range(seconds):
        part = sample_of(values_ms[number * size : (number + 1) * size])
        found.append(
            TimeBlock(
                1000 + number,
                1,
                part.total,
                0,
                part.mean(),
                part.quantile(0.5),
                part.quantile(0.95),
                part.quantile(0.99),
            )
        )
    return tuple(found)


def run_of(values_ms: list[float], blocks: tuple[TimeBlock, ...] = ()) -> RunResult:
    """A saved-run-like result whose figures and histograms come from ``values_ms``."""
    sample = sample_of(values_ms)
    figures = Percentiles(
        p50=sample.quantile(0.5),
        p90=sample.quantile(0.9),
        p95=sample.quantile(0.95),
        p99=sample.quantile(0.99),
    )
    endpoint = replace(
        make_endpoint(requests=len(values_ms)), cumulative=figures, avg_ms=sample.mean() or 0.0
    )
    total = replace(make_total((endpoint,)), cumulative=figures, avg_ms=sample.mean() or 0.0)
    result = make_result((endpoint,))
    final = replace(result.final, endpoints=(endpoint,), total=total)
    blob = blob_of(values_ms)
    return replace(result, final=final, histograms={KEY: blob, AGGREGATED: blob}, blocks=blocks)


def test_quantile_and_its_interval_cover_the_truth() -> None:
    """Over 200 pairs of samples from one distribution, the p95 ratio's interval holds 0 about 95 % of the
    time (independent requests, no design effect): the interval is neither too narrow nor much too wide."""
    rng = random.Random(7)
    covered = 0
    for _ in range(200):
        a, b = sample_of(latencies(rng, 2000)), sample_of(latencies(rng, 2000))
        qa, qb = a.quantile(0.95), b.quantile(0.95)
        sa, sb = a.log_se("p95"), b.log_se("p95")
        assert qa and qb and sa and sb
        covered += ratio_interval(math.log(qa), math.log(qb), [(sa * sa + sb * sb, math.inf)]).spans_zero
    assert 180 <= covered <= 200


def test_a_twenty_percent_slowdown_is_beyond_noise_with_its_interval() -> None:
    rng = random.Random(11)
    base, slow = sample_of(latencies(rng, 2000)), sample_of(latencies(rng, 2000, scale=1.2))
    for metric, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        qa, qb = base.quantile(q), slow.quantile(q)
        sa, sb = base.log_se(metric), slow.log_se(metric)
        assert qa and qb and sa and sb
        interval = ratio_interval(math.log(qa), math.log(qb), [(sa * sa + sb * sb, math.inf)])
        assert interval.low > 0, metric
        if metric != "p99":  # the true change (+20 %) lies inside the interval
            assert interval.low < 0.2 < interval.high, (metric, interval)


def test_bursty_blocks_widen_the_interval_steady_ones_do_not() -> None:
    rng = random.Random(3)
    steady = latencies(rng, 5000)
    # the same number of requests, but every other second the whole machine was 50 % slower
    bursty = [v * (1.5 if (i // 500) % 2 else 1.0) for i, v in enumerate(latencies(rng, 5000))]
    iid_steady, iid_bursty = sample_of(steady).log_se("p95"), sample_of(bursty).log_se("p95")
    assert iid_steady and iid_bursty
    calm, _ = level_variance(steady_blocks(steady), "p95", iid_steady, 5000)
    busy, df = level_variance(steady_blocks(bursty), "p95", iid_bursty, 5000)
    assert calm < iid_steady**2  # sampling explains the steady blocks' spread
    assert math.sqrt(busy) > 0.15  # log 1.5 = 0.41 between alternate seconds: sd about 0.2
    assert df == 9  # estimated from 10 blocks
    assert level_variance(steady_blocks(bursty)[:2], "p95", iid_bursty, 5000) == NOTHING  # too few


def test_students_t_quantiles_and_the_degrees_of_freedom_of_a_sum() -> None:
    for df, table in ((2, 4.303), (3, 3.182), (6, 2.447), (10, 2.228), (30, 2.042), (math.inf, 1.960)):
        assert abs(t95(df) - table) < 0.01 * table, df
    assert t95(1) == t95(2)
    # a part known from many requests adds no uncertainty; two equal estimated parts double their df
    assert satterthwaite([(0.01, math.inf), (0.0, 3.0)]) == (0.01, math.inf)
    total, df = satterthwaite([(0.02, 6.0), (0.02, 6.0)])
    assert math.isclose(total, 0.04) and math.isclose(df, 12.0)
    # the interval of a difference whose variance comes from few blocks is wider than the normal one
    wide = ratio_interval(0.0, 0.3, [(0.01, 6.0)])
    narrow = ratio_interval(0.0, 0.3, [(0.01, math.inf)])
    assert wide.low < narrow.low and narrow.high < wide.high


def test_error_rate_interval_two_proportions() -> None:
    none = proportion_interval(0, 1000, 0, 1000)
    assert none.spans_zero
    rare = proportion_interval(1, 1000, 3, 1000)  # 0.1 % -> 0.3 %: could be chance
    assert rare.spans_zero
    many = proportion_interval(0, 2000, 60, 2000)  # 0 % -> 3 %
    assert many.low > 0 and many.low < 3.0 < many.high


def test_histogram_blob_decodes_to_the_same_quantiles() -> None:
    values = latencies(random.Random(5), 3000)
    decoded = sample_from_blob(blob_of(values))
    direct = sample_of(values)
    assert decoded is not None and decoded.total == 3000
    for q in (0.5, 0.95, 0.99):
        a, b = decoded.quantile(q), direct.quantile(q)
        assert a and b and abs(a - b) / b < 0.002
    assert sample_from_blob("not a histogram") is None


def test_compare_identical_distributions_within_noise_and_slowdown_regressed() -> None:
    rng = random.Random(21)
    base_values = latencies(rng, 3000)
    base = run_of(base_values, steady_blocks(base_values))
    # same distribution; the limits alone would call the p99 a regression in some draws
    loose = Regression(
        min_abs_ms=0.5, relative=dict.fromkeys(("p50", "p95", "p99", "avg", "error_rate", "rps"), 0.0)
    )
    twin_values = latencies(rng, 3000)
    twin = compare(base, run_of(twin_values, steady_blocks(twin_values)), loose)
    verdicts = {m.metric: m.verdict for m in twin.rows[0].metrics if m.metric in ("p50", "p95", "p99")}
    assert not twin.regressed, render_table(twin)
    assert set(verdicts.values()) <= {WITHIN_NOISE, "ok", "improved"}
    slow_values = latencies(rng, 3000, scale=3.0)
    slowed = compare(base, run_of(slow_values, steady_blocks(slow_values)))
    p95 = slowed.rows[0].metric("p95")
    assert p95.verdict == REGRESSION and p95.interval is not None
    assert 1.6 < p95.interval.low < 2.0 < p95.interval.high < 2.5
    text = render_table(slowed)
    assert "p95 +" in text and "(95% CI +" in text
    listed = comparison_to_dict(slowed)["regressions"]
    assert any(r["metric"] == "p95" and r["ci95_low"] > 1.5 for r in listed)


def test_noise_of_one_side_stands_in_for_a_side_without_histograms() -> None:
    """Live figures have no saved histograms: the saved side's spread, scaled by the request counts,
    stands in for them."""
    rng = random.Random(2)
    values = latencies(rng, 3000)
    base = run_of(values, steady_blocks(values))
    other = run_of(latencies(rng, 3000))
    live = [*other.final.endpoints, other.final.total]
    limits_only = dict.fromkeys(("p50", "p95", "p99", "avg", "error_rate", "rps"), 0.0)
    rules = Regression(min_abs_ms=0.0, relative=limits_only)
    stand_in = compare(base, live, rules).rows[0]
    measured = compare(base, other, rules).rows[0]  # the same figures, with their own histograms
    for metric in ("p50", "p95", "p99", "avg"):
        borrowed, own = stand_in.metric(metric).interval, measured.metric(metric).interval
        if not stand_in.metric(metric).rel_delta:
            continue  # no change: nothing to judge, no interval needed
        assert borrowed is not None and own is not None, metric
        width, own_width = borrowed.high - borrowed.low, own.high - own.low
        assert 0.5 * own_width < width < 2 * own_width, (metric, borrowed, own)


def test_runs_without_histograms_keep_the_limits_only() -> None:
    base = [make_endpoint(p95=20.0), make_total((make_endpoint(p95=20.0),))]
    cur = [make_endpoint(p95=30.0), make_total((make_endpoint(p95=30.0),))]
    p95 = compare(base, cur).rows[0].metric("p95")
    assert p95.verdict == REGRESSION and p95.interval is None


def test_run_noise_machine_part_comes_from_the_total() -> None:
    rng = random.Random(9)
    bursty = [v * (1.6 if (i // 300) % 2 else 1.0) for i, v in enumerate(latencies(rng, 3000))]
    blob = blob_of(bursty)
    noisy = RunNoise({KEY: blob, AGGREGATED: blob}, steady_blocks(bursty))
    plain = RunNoise({KEY: blob, AGGREGATED: blob}, ())
    noisy_se, plain_se = noisy.log_se(KEY, "p95"), plain.log_se(KEY, "p95")
    assert noisy_se is not None and plain_se is not None
    assert noisy_se > 2 * plain_se
    assert plain.machine_variance("p95") == 0.0


def test_the_tails_machine_part_is_at_least_the_medians() -> None:
    """A run whose machine slowed every other second as a whole: the p99 of 1-second blocks rests on a few
    requests, so its own blocks hardly show it; the median's do, and the p99 takes at least that."""
    rng = random.Random(5)
    bursty = [v * (1.3 if (i // 300) % 2 else 1.0) for i, v in enumerate(latencies(rng, 3000))]
    blob = blob_of(bursty)
    noise = RunNoise({KEY: blob, AGGREGATED: blob}, steady_blocks(bursty))
    median = noise.machine_part("p50")
    assert median[0] > 0.005 and median[1] == 9
    for metric in ("p95", "p99", "avg"):
        assert noise.machine_variance(metric) >= median[0], metric


def test_a_spread_from_one_burst_has_few_degrees_of_freedom() -> None:
    """Ten blocks, one of them three times slower (a stall): the machine's part is large but rests on
    one block, so its degrees of freedom are about 2, not 9; an even spread keeps its 9."""
    rng = random.Random(12)
    burst = [v * (3.0 if 500 <= i < 1000 else 1.0) for i, v in enumerate(latencies(rng, 5000))]
    even = [v * (1.5 if (i // 500) % 2 else 1.0) for i, v in enumerate(latencies(rng, 5000))]
    iid_burst, iid_even = sample_of(burst).log_se("p50"), sample_of(even).log_se("p50")
    variance, df = level_variance(steady_blocks(burst), "p50", iid_burst, 5000)
    assert variance > 0.05 and df < 3
    variance, df = level_variance(steady_blocks(even), "p50", iid_even, 5000)
    assert variance > 0.01 and df == 9
