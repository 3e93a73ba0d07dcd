"""Runs saved by an earlier perfconsole still load, and this version writes the same documents for them.

``tests/fixtures/runs_v1/`` holds two run directories saved by real headless runs of the version before the
store's records were declared as msgspec Structs (a two-stage profile; an arrival-rate run), and
``tests/fixtures/runs_v2/`` one saved by the version before run.toml was declared (a two-stage profile with a
note and a soak verdict), each with the ``--summary-json`` document its run printed. Their ``report.html``
(about 1 MB, never decoded here) is left out of the fixture and stood in for by an empty file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from perfconsole.headless.summary_json import summary_dict
from perfconsole.store.data_codec import result_to_dict
from perfconsole.store.run_toml import run_toml_data
from perfconsole.store.runs import list_runs, load_run_dir, read_toml_file
from perfconsole.store.stages_codec import stages_csv

FIXTURES = Path(__file__).parent / "fixtures"
STAGED = "20261205T091513Z-notifications-two-step-fixture-v1"
ARRIVAL = "20261205T091525Z-open_model-fixture-v1-arrival"
SOAK = "20261205T131221Z-notifications-two-step-fixture-v2"
SAVED = {STAGED: "runs_v1", ARRIVAL: "runs_v1", SOAK: "runs_v2"}
"""Each fixture run and the directory of the version that saved it."""
DERIVED_RATES = ("target_rate", "achieved_rate", "dropped_rate")
"""Arrival figures computed from the stored counts and rounded on writing (not the stored record itself)."""
FRONT_END_KEYS = ("exit_code", "exit_reason", "run_dir", "comparison")
"""Keys the headless front end adds to the summary document around :func:`summary_dict`."""


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    for run_id, version in SAVED.items():
        shutil.copytree(FIXTURES / version / run_id, runs / run_id)
        (runs / run_id / "report.html").write_text("", encoding="utf-8")
    return runs


def _holds(written: Any, saved: Any) -> bool:
    """``written`` says everything ``saved`` says (fields added since may come on top, at any depth)."""
    if isinstance(saved, dict):
        return isinstance(written, dict) and all(
            k in written and _holds(written[k], v) for k, v in saved.items()
        )
    if isinstance(saved, list):
        return isinstance(written, list) and len(written) == len(saved) and all(map(_holds, written, saved))
    return bool(written == saved and type(written) is type(saved))


def _without_derived(document: dict[str, Any]) -> dict[str, Any]:
    arrival = document.get("arrival")
    if not isinstance(arrival, dict):
        return document
    return {**document, "arrival": {k: v for k, v in arrival.items() if k not in DERIVED_RATES}}


@pytest.mark.parametrize("run_id", sorted(SAVED))
def test_a_run_saved_before_loads_and_encodes_to_the_same_data_json(runs_dir: Path, run_id: str) -> None:
    loaded = load_run_dir(runs_dir / run_id)
    saved = json.loads((runs_dir / run_id / "data.json").read_text(encoding="utf-8"))["result"]
    assert loaded.run_id == run_id
    assert loaded.result.final.total.num_requests == loaded.metadata["summary"]["requests"] > 0
    assert len(loaded.result.stages) == 2
    assert _holds(_without_derived(result_to_dict(loaded.result)), _without_derived(saved))


@pytest.mark.parametrize("run_id", sorted(SAVED))
def test_a_run_saved_before_gives_the_summary_it_printed_and_its_stages_csv(
    runs_dir: Path, run_id: str
) -> None:
    loaded = load_run_dir(runs_dir / run_id)
    summaries = FIXTURES / SAVED[run_id] / "summaries"
    printed = json.loads((summaries / f"{run_id}.json").read_text(encoding="utf-8"))
    expected = {k: v for k, v in printed.items() if k not in FRONT_END_KEYS}
    assert _holds(_without_derived(summary_dict(loaded.result)), _without_derived(expected))
    saved_csv = (runs_dir / run_id / "stages.csv").read_text(encoding="utf-8")
    assert stages_csv(loaded.result.stages).splitlines() == saved_csv.splitlines()


def test_runs_saved_before_are_listed(runs_dir: Path) -> None:
    listed = {summary.run_id: summary for summary in list_runs(runs_dir)}
    assert set(listed) == set(SAVED)
    assert listed[STAGED].profile == "two-step" and listed[STAGED].name == "fixture-v1"
    assert listed[STAGED].summary["requests"] == 21 and listed[STAGED].invalid
    arrival = load_run_dir(runs_dir / ARRIVAL).result.arrival
    assert arrival is not None and (arrival.figures.started, arrival.max_users) == (18, 20)


@pytest.mark.parametrize("run_id", sorted(SAVED))
def test_a_run_saved_before_writes_the_same_run_toml(runs_dir: Path, run_id: str) -> None:
    """run.toml decoded through its declared record and written again from the loaded run says
    the same."""
    saved = read_toml_file(runs_dir / run_id / "run.toml")
    loaded = load_run_dir(runs_dir / run_id)
    record = loaded.record
    written = run_toml_data(
        loaded.result,
        run_id=record.id,
        name=record.name,
        note=record.note,
        kind=record.kind,
        scenario_sha256=record.scenario_sha256,
        hostname=record.hostname,
        versions=record.versions,
        files=record.files,
    )
    assert _holds(written, saved)  # keys added since (soak) may come on top
    assert record.soak == ("stable" if run_id == SOAK else "")
