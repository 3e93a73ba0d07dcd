"""Typed warnings: kinds kept through data.json, old text-only warnings read as ``other``, and the console
picking warnings by kind, not by how their text begins."""

from __future__ import annotations

import json
from dataclasses import replace

from test_store_factories import make_result
from test_tui_resources_data import resource_sample
from test_tui_resources_view import state_of, texts

from perfconsole.model.run_warnings import RunWarning, WarningKind
from perfconsole.resources.saturation import SaturationDetector
from perfconsole.store.data_codec import result_from_dict, result_to_dict
from perfconsole.tui.views.saturation_banner import saturation_banner


def test_kinds_survive_data_json_and_old_plain_warnings_load_as_other() -> None:
    warnings = (
        RunWarning(WarningKind.WORKER_LOST, "worker lost mid-run: w1 on host h"),
        RunWarning(WarningKind.SATURATION, "load generator saturated: ...", "worker 1 CPU 97% (over 90%)"),
    )
    result = replace(make_result(), warnings=warnings)
    data = json.loads(json.dumps(result_to_dict(result)))
    assert result_from_dict(data).warnings == warnings

    data["warnings"] = ["generator CPU above 90 %", {"kind": "from-a-newer-version", "text": "x"}]
    assert result_from_dict(data).warnings == (
        RunWarning(WarningKind.OTHER, "generator CPU above 90 %"),
        RunWarning(WarningKind.OTHER, "x"),
    )


def test_the_detector_raises_saturation_warnings_with_their_detail() -> None:
    (warning,) = SaturationDetector(high_pct=90.0).observe_processes(
        resource_sample(1.0, worker_cpu=97.0).generator_processes
    )
    assert warning.kind is WarningKind.SATURATION
    assert warning.detail == "worker 1001 CPU 97% (over 90%)" and warning.text.startswith("load generator")


def test_the_console_picks_warnings_by_kind_not_by_text() -> None:
    text = "target metrics unavailable: connection refused"
    other = state_of(
        [resource_sample(5.0, with_metrics=False)], warnings=(RunWarning(WarningKind.OTHER, text),)
    )
    assert text not in texts(other, 100, detail=False)[3]
    typed = replace(other, warnings=(RunWarning(WarningKind.METRICS_UNAVAILABLE, "scrape failed: 404"),))
    assert "! scrape failed: 404" in texts(typed, 100, detail=False)[3]


def test_a_past_saturation_is_found_by_kind() -> None:
    samples = [resource_sample(1.0, worker_cpu=97.0), resource_sample(2.0, worker_cpu=20.0)]
    state = state_of(samples)
    banner = saturation_banner(state)
    assert banner is not None and not banner.active and "worker 1001 CPU 97% (over 90%)" in banner.text
    untyped = replace(state, warnings=tuple(replace(w, kind=WarningKind.OTHER) for w in state.warnings))
    assert saturation_banner(untyped) is None
