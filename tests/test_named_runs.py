"""Named runs: a run saved with ``--save NAME`` (or named on the console's start screen) is referred to by
NAME wherever a run id is accepted; the newest of several wins and ``perfconsole runs NAME`` lists all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_perfconsole
from test_store_factories import STARTED_AT, make_result

from perfconsole.errors import StoreError
from perfconsole.store.baselines import resolve
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import find_run_dir

# A few requests a run: the validity stamp must not refuse the comparisons this test resolves names for.
CONFIG = "[thresholds]\np95_ms = 5000\nmin_rps = false\n[regression]\nmin_samples = 1\n"


def test_a_name_means_the_newest_run_saved_with_it(tmp_path: Path) -> None:
    older = save_run(tmp_path, make_result(started_at=STARTED_AT), name="mybase")
    newer = save_run(tmp_path, make_result(started_at=STARTED_AT + 60), name="mybase")
    other = save_run(tmp_path, make_result(started_at=STARTED_AT + 120), name="other")
    assert find_run_dir("mybase", tmp_path) == newer
    assert resolve(tmp_path, "mybase").path == newer and resolve(tmp_path, "run:other").path == other
    assert find_run_dir(older.name, tmp_path) == older  # an id still names exactly its run
    with pytest.raises(StoreError, match=r"no run 'nobody' \(id or name\)"):
        find_run_dir("nobody", tmp_path)


@pytest.mark.slow
def test_runs_name_lists_every_run_with_that_name(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    runs = tmp_path / "runs"
    ids = [save_run(runs, make_result(started_at=STARTED_AT + i), name="mybase").name for i in range(2)]
    save_run(runs, make_result(started_at=STARTED_AT + 5), name="other")
    listed = run_perfconsole(["runs", "mybase", "--json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    assert [r["id"] for r in payload["runs"]] == ids[::-1]  # newest first
    table = run_perfconsole(["runs", "mybase"], tmp_path)
    assert table.returncode == 0 and ids[0] in table.stdout and "other" not in table.stdout
    missing = run_perfconsole(["runs", "nobody"], tmp_path)
    assert missing.returncode == 2 and missing.stderr.strip().endswith("no run named 'nobody' in runs")


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_save_then_baseline_save_and_compare_by_name(tmp_path: Path, demo_target: Any) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "scenarios").symlink_to(Path(__file__).resolve().parent.parent / "scenarios")
    run = ["run", "--headless", "--scenario", "health", "-u", "2", "-r", "2", "-t", "2s", "--workers", "0"]
    saved = run_perfconsole([*run, "--host", demo_target.url, "--save", "mybase", "--summary-json"], tmp_path)
    assert saved.returncode == 0, saved.stderr
    run_dir = Path(json.loads(saved.stdout)["run_dir"])
    promoted = run_perfconsole(["baseline", "save", "mybase", "good"], tmp_path)
    assert promoted.returncode == 0, promoted.stderr
    shown = run_perfconsole(["baseline", "show", "good", "--json"], tmp_path)
    assert shown.returncode == 0 and run_dir.name in shown.stdout, shown.stdout + shown.stderr
    compared = run_perfconsole(["compare", "good", "mybase"], tmp_path)
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert run_dir.name in compared.stdout
    again = run_perfconsole(
        [*run, "--host", demo_target.url, "--baseline", "mybase", "--summary-json"], tmp_path
    )
    assert again.returncode in (0, 11), again.stderr  # 11: a regression, still a resolved name
    comparison = json.loads(again.stdout)["comparison"]
    assert comparison is not None and comparison["baseline"] == "mybase", comparison  # resolved, or exit 2
