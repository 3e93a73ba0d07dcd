"""The validity stamp (perfconsole.verdicts.validity): every source of invalidity, per run and per stage,
saved and read back, shown in the summaries, refused by comparisons, and exit code 12 in its place."""

from __future__ import annotations

import json
from dataclasses import replace

from test_store_factories import make_result

from perfconsole.application.comparison_report import comparison_to_dict, render_table
from perfconsole.errors import ExitCode
from perfconsole.headless.exit_status import exit_status
from perfconsole.headless.summary import validity_lines
from perfconsole.headless.summary_json import summary_dict
from perfconsole.model.arrival import ArrivalFigures
from perfconsole.model.percentiles import Percentiles
from perfconsole.model.run import Annotation, RunResult, ThresholdResult
from perfconsole.model.run_end import EndKind, RunEnd
from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.model.stages import StageStats
from perfconsole.store.data_codec import result_from_dict, result_to_dict
from perfconsole.verdicts import validity as validity_module
from perfconsole.verdicts.refusal import NOT_JUDGED
from perfconsole.verdicts.regression import REGRESSION, compare
from perfconsole.verdicts.validity import Span, ValidityRules, register, stamp


def with_cpu(result: RunResult, cpu: list[float], start_s: float = 0.0) -> RunResult:
    """The result with a resource series: one generator CPU reading a second."""
    series = {
        "elapsed_s": [start_s + i for i in range(len(cpu))],
        "generator_max_cpu_pct": cpu,
    }
    resources = {"series": series, "peaks": {"generator_max_cpu_label": "worker 1 (pid 42)"}}
    return replace(result, resources=resources)


def test_a_clean_run_is_valid() -> None:
    result = with_cpu(make_result(), [40.0] * 10)
    assert stamp(result).run.text == "valid"


def test_saturation_counts_only_when_it_lasts() -> None:
    brief = with_cpu(make_result(), [40, 95, 96, 40, 97, 40, 40])  # 2 s at most: a hiccup
    assert stamp(brief).valid
    lasting = with_cpu(make_result(), [40, 92, 95, 99, 97, 40])  # 4 s at or above 90 %
    reasons = stamp(lasting).run.reasons
    assert reasons == ("generator saturated: worker 1 (pid 42) CPU >= 90% for 4 s from 1 s (peak 99%)",)
    stricter = stamp(lasting, ValidityRules(saturation_pct=99.5))
    assert stricter.valid


def test_worker_lost_and_dropped_iterations_and_too_few_requests() -> None:
    base = make_result()
    lost = replace(base, warnings=(RunWarning(WarningKind.WORKER_LOST, "worker lost mid-run: w1 on host a"),))
    assert stamp(lost).run.reasons == ("worker lost mid-run: w1 on host a",)
    dropped = replace(base, thresholds=(ThresholdResult("Aggregated", "dropped_pct", 1.0, 7.5, False),))
    assert stamp(dropped).run.reasons == ("dropped 7.5% of iterations (limit 1%)",)
    kept = replace(base, thresholds=(ThresholdResult("Aggregated", "dropped_pct", 10.0, 7.5, True),))
    assert stamp(kept).valid
    assert stamp(base, ValidityRules(min_samples=10**6)).run.text.startswith("invalid: only 2000 request(s)")


def stage(index: int, start_s: float, end_s: float, requests: int) -> StageStats:
    return StageStats(
        index, f"{index * 10} users", "plateau", start_s, end_s, requests, 0, Percentiles(p95=10.0)
    )


LOST = "worker lost: w2 on host b (no heartbeat for 3 s)"


def test_each_stage_is_stamped_by_what_happened_in_it() -> None:
    result = replace(
        with_cpu(make_result(), [40] * 10 + [95] * 5 + [40] * 5),
        stages=(stage(1, 0, 10, 500), stage(2, 10, 20, 500), stage(3, 20, 25, 12)),
        annotations=(
            Annotation(21.0, "worker lost: w2 on host b (no heartbeat for 3 s); 1 worker(s) left", "worker"),
        ),
    )
    stamped = stamp(result)
    assert stamped.stage(1).valid
    assert stamped.stage(2).reasons[0].startswith("generator saturated:")
    assert stamped.stage(3).reasons == (
        LOST,
        "only 12 request(s), fewer than the 50 a measurement needs",
    )
    assert stamped.run.reasons[0].startswith("generator saturated:")  # 5 s in the run


def test_a_rate_stage_whose_drops_reach_the_limit_is_invalid_alone() -> None:
    def level(index: int, start_s: float, end_s: float, started: int, dropped: int) -> StageStats:
        figures = ArrivalFigures(end_s - start_s, float(started + dropped), started, dropped, 5.0)
        return replace(stage(index, start_s, end_s, started), kind="rate", label="x/s", arrival=figures)

    spike = replace(
        make_result(),
        stages=(level(1, 0, 60, 3000, 0), level(2, 60, 90, 9000, 3000), level(3, 90, 150, 3000, 0)),
        thresholds=(ThresholdResult("Aggregated", "dropped_pct", 5.0, 4.8, True),),  # diluted: the run passes
    )
    stamped = stamp(spike)
    assert stamped.run.valid
    assert stamped.stage(1).valid and stamped.stage(3).valid
    assert stamped.stage(2).reasons == ("dropped 25.0% of the stage's iterations (limit 5%)",)
    unlimited = replace(spike, thresholds=())
    assert stamp(unlimited).stage(2).valid  # no dropped_pct limit set: drops are figures, not a stamp
    looser = replace(spike, thresholds=(ThresholdResult("Aggregated", "dropped_pct", 30.0, 4.8, True),))
    assert stamp(looser).stage(2).valid


def test_a_shape_that_raised_or_was_cut_short_did_not_complete() -> None:
    shaped = replace(
        make_result(), stages=(stage(1, 0, 10, 500), replace(stage(2, 10, 20, 500), kind="stage"))
    )
    raised = replace(shaped, end=RunEnd(EndKind.SHAPE_ERROR, "shape raised ValueError: boom"))
    assert stamp(raised).run.reasons == ("shape did not complete (shape raised ValueError: boom)",)
    stopped = replace(shaped, end=RunEnd(EndKind.OPERATOR, "stopped from the console"))
    assert stamp(stopped).run.reasons == ("shape did not complete (stopped from the console)",)
    assert stamp(replace(shaped, end=RunEnd(EndKind.SHAPE, "shape StepLoad ended"))).valid
    plateaus = replace(make_result(), end=RunEnd(EndKind.OPERATOR, "stopped from the console"))
    assert stamp(plateaus).valid  # no shape: stopping ends a plain run


def test_a_new_source_of_invalidity_is_one_more_check() -> None:
    def too_hot(result: RunResult, rules: ValidityRules, span: Span) -> list[str]:
        return ["target too hot"] if span.start_s is None and result.interrupted else []

    register(too_hot)
    try:
        assert stamp(replace(make_result(), interrupted=True)).run.reasons == ("target too hot",)
    finally:
        validity_module.CHECKS.remove(too_hot)


def test_the_stamp_is_saved_shown_and_read_back() -> None:
    result = with_cpu(make_result(), [95] * 6)
    result = replace(result, validity=stamp(result))
    back = result_from_dict(json.loads(json.dumps(result_to_dict(result))))
    assert back.validity == result.validity
    summary = summary_dict(result)["validity"]
    assert summary["valid"] is False and summary["text"].startswith("invalid: generator saturated")
    assert validity_lines(result)[0].startswith("Validity: invalid: generator saturated")
    assert result_from_dict({**result_to_dict(result), "validity": {"reasons": "x"}}).validity is None


def test_a_comparison_refuses_an_invalid_side_and_says_why() -> None:
    good = make_result()
    slower_final = replace(
        good.final,
        endpoints=(
            replace(good.final.endpoints[0], cumulative=Percentiles(p95=500.0)),
            *good.final.endpoints[1:],
        ),
    )
    slower = replace(good, final=slower_final)
    judged = compare(good, slower)
    assert judged.regressed and not judged.refused
    saturated = with_cpu(slower, [97] * 8)
    refused = compare(good, replace(saturated, validity=stamp(saturated)), current_label="this run")
    assert not refused.regressed and refused.invalid
    assert refused.refused[0].startswith("this run is invalid: generator saturated")
    p95 = refused.rows[0].metric("p95")
    assert p95.verdict == NOT_JUDGED and judged.rows[0].metric("p95").verdict == REGRESSION
    assert "RESULT: NOT JUDGED (invalid measurement): this run is invalid" in render_table(refused)
    assert comparison_to_dict(refused)["invalid"] is True
    # a run saved before stamps existed is stamped from its data when compared
    assert compare(good, saturated).refused


def test_exit_code_12_comes_after_thresholds_and_before_errors_and_regressions() -> None:
    clean = replace(make_result(), thresholds=())
    invalid = exit_status(clean, invalid="generator saturated", regressed=True)
    assert invalid.code == ExitCode.INVALID == 12
    assert invalid.line() == "Exit code 12: invalid measurement (generator saturated)"
    failed = replace(clean, thresholds=(ThresholdResult("Aggregated", "p95", 100.0, 250.0, False),))
    assert exit_status(failed, invalid="generator saturated").code == ExitCode.THRESHOLD_FAILED
    errors = replace(clean, thresholds=(ThresholdResult("Aggregated", "errors", 0.0, 3.0, False),))
    assert exit_status(errors, invalid="worker lost").code == ExitCode.INVALID


def test_a_lagging_generator_warns_once_per_episode_and_invalidates() -> None:
    from perfconsole.engine.generator_lag import LagWatch

    warned: list[RunWarning] = []
    watch = LagWatch(warned.append, local=False)
    watch.observe("worker w1", [[100, 20.0], [101, 150.0], [102, 30.0], [103, 140.0], [104, 160.0]])
    assert warned == []  # late seconds, but never 3 in a row
    watch.observe("worker w1", [[105, 400.0], [106, 120.0]])
    assert [w.detail for w in warned] == ["worker w1 event loop 400 ms late for 3 s"]
    watch.observe("worker w1", [[107, 300.0], [108, 10.0], [109, 200.0], [110, 200.0], [111, 200.0]])
    assert len(warned) == 2  # a second episode after the loop caught up
    watch.observe("worker w2", [["bad"], [1, "x"]])  # malformed seconds are skipped
    lagging = replace(make_result(), warnings=(warned[0],))
    assert stamp(lagging).run.reasons == ("generator lagging: worker w1 event loop 400 ms late for 3 s",)
    staged = replace(
        lagging,
        stages=(stage(1, 0, 10, 500), stage(2, 10, 20, 500)),
        annotations=(Annotation(12.0, warned[0].text, "warning"),),
    )
    stamped = stamp(staged)
    assert stamped.stage(1).valid
    assert stamped.stage(2).reasons == ("generator lagging: worker w1 event loop 400 ms late for 3 s",)
