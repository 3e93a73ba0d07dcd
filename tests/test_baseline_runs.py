"""Baselines of several runs: saved together or appended (up to 10), shown with their spread, and compared
against with that spread: a change inside the runs' own variation is within noise, one far outside is a
regression; req/s, not judged between two single runs, is judged against the spread."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from cli_helpers import run_perfconsole
from test_store_factories import STARTED_AT, make_endpoint, make_result, make_total

from perfconsole.errors import StoreError
from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import RunResult
from perfconsole.store.baselines import MAX_BASELINE_RUNS, load_baseline, save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.verdicts.regression import CHANGED, REGRESSION, WITHIN_NOISE, compare


def run_with(p95: float, rps: float, offset_s: float) -> RunResult:
    endpoint = replace(
        make_endpoint(rps=rps, requests=5000),
        cumulative=Percentiles(p50=10.0, p90=20.0, p95=p95, p99=2 * p95),
    )
    total = replace(make_total((endpoint,)), cumulative=endpoint.cumulative, total_rps=rps)
    result = make_result((endpoint,), started_at=STARTED_AT + offset_s)
    return replace(result, final=replace(result.final, endpoints=(endpoint,), total=total))


def saved(tmp_path: Path, figures: list[tuple[float, float]]) -> list[str]:
    return [save_run(tmp_path, run_with(p95, rps, 60.0 * i)).name for i, (p95, rps) in enumerate(figures)]


def test_several_runs_saved_appended_and_loaded(tmp_path: Path) -> None:
    first, second, third = saved(tmp_path, [(30.0, 100.0), (33.0, 95.0), (28.0, 105.0)])
    info = save_baseline(tmp_path, [first, second], "steady", note="three quiet runs")
    assert info.run_ids == (first, second) and info.source_run == first
    appended = save_baseline(tmp_path, [third], "steady", append=True)
    assert appended.run_ids == (first, second, third) and appended.note == "three quiet runs"
    loaded = load_baseline(tmp_path, "steady")
    assert [run.run_id for run in (loaded, *loaded.others)] == [first, second, third]
    with pytest.raises(StoreError, match="a run is named twice"):
        save_baseline(tmp_path, [first, first], "twice")
    eleven = saved(tmp_path, [(30.0 + i, 100.0) for i in range(3, 3 + MAX_BASELINE_RUNS - 2)])
    with pytest.raises(StoreError, match=f"at most {MAX_BASELINE_RUNS}"):
        save_baseline(tmp_path, [*eleven, first, second, third], "many")
    with pytest.raises(StoreError, match="no baseline 'nope' to append to"):
        save_baseline(tmp_path, [first], "nope", append=True)


def test_a_change_inside_the_runs_spread_is_noise_far_outside_a_regression(tmp_path: Path) -> None:
    runs = saved(tmp_path, [(30.0, 100.0), (36.0, 90.0), (26.0, 110.0), (33.0, 96.0)])
    save_baseline(tmp_path, runs, "steady")
    baseline = load_baseline(tmp_path, "steady")
    within = compare(baseline, run_with(38.0, 92.0, 0.0))  # +22 % against a mean of about 31 ms
    total = next(r for r in within.rows if r.endpoint == "Aggregated")
    assert total.metric("p95").verdict == WITHIN_NOISE and total.metric("p95").interval is not None
    assert not within.regressed
    assert within.baseline_label == "baseline steady (4 runs)"
    slower = compare(baseline, run_with(90.0, 40.0, 0.0))  # three times slower, req/s less than half
    total = next(r for r in slower.rows if r.endpoint == "Aggregated")
    assert total.metric("p95").verdict == REGRESSION
    assert total.metric("rps").verdict == REGRESSION  # judged: the baseline knows req/s's spread
    single = compare(load_run_single(tmp_path, runs[0]), run_with(90.0, 40.0, 0.0))
    single_total = next(r for r in single.rows if r.endpoint == "Aggregated")
    assert single_total.metric("rps").verdict in (CHANGED, REGRESSION)  # no histograms: limits only


def load_run_single(tmp_path: Path, run_id: str):  # type: ignore[no-untyped-def]
    from perfconsole.store.runs import load_run

    return load_run(run_id, tmp_path)


@pytest.mark.slow
def test_cli_saves_several_and_shows_their_spread(tmp_path: Path) -> None:
    runs = saved(tmp_path / "runs", [(30.0, 100.0), (36.0, 90.0), (26.0, 110.0)])
    (tmp_path / "config.toml").write_text("")
    done = run_perfconsole(["baseline", "save", *runs[:2], "steady"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"saved from runs {runs[0]}, {runs[1]}" in done.stdout
    more = run_perfconsole(["baseline", "save", runs[2], "steady", "--append"], tmp_path)
    assert more.returncode == 0, more.stderr
    shown = run_perfconsole(["baseline", "show", "steady"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "spread across 3 runs" in shown.stdout
    spread = json.loads(run_perfconsole(["baseline", "show", "steady", "--json"], tmp_path).stdout)["spread"]
    assert 10.0 < spread["Aggregated"]["p95"] < 25.0  # 30, 36, 26 ms
    lonely = run_perfconsole(["baseline", "save", "steady"], tmp_path)
    assert lonely.returncode == 2 and "needs a run and a name" in lonely.stderr
