"""Baselines: promote, list, show, delete, never overwritten silently, names cannot escape."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w
from test_store_factories import STARTED_AT, make_result
from test_store_runs import tree_bytes

from perfconsole.errors import StoreError
from perfconsole.store.baselines import (
    BASELINE_FILE,
    delete_baseline,
    get_baseline_info,
    list_baselines,
    load_baseline,
    resolve,
    save_baseline,
)
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import RUN_FILE


def test_save_and_load_baseline(tmp_path: Path) -> None:
    result = make_result()
    run_dir = save_run(tmp_path, result, write_artifacts=lambda d: (d / "report.html").write_text("<html/>"))
    info = save_baseline(tmp_path, run_dir.name, "main", note="release 1.2")
    assert info.path == tmp_path / "baselines" / "main"
    assert (info.source_run, info.note, info.name) == (run_dir.name, "release 1.2", "main")
    assert (info.path / "report.html").read_text() == "<html/>"
    assert (info.path / RUN_FILE).read_bytes() == (run_dir / RUN_FILE).read_bytes()
    loaded = load_baseline(tmp_path, "main")
    assert loaded.result == result and loaded.baseline_name == "main" and loaded.label == "baseline main"
    assert resolve(tmp_path, "main").baseline_name == "main"
    assert resolve(tmp_path, "baseline:main").baseline_name == "main"
    assert resolve(tmp_path, f"run:{run_dir.name}").baseline_name is None
    assert resolve(tmp_path, run_dir.name).run_id == run_dir.name


def test_existing_baseline_is_not_overwritten_without_force(tmp_path: Path) -> None:
    first = save_run(tmp_path, make_result(started_at=STARTED_AT - 60))
    second = save_run(tmp_path, make_result())
    save_baseline(tmp_path, first.name, "main")
    before = tree_bytes(tmp_path / "baselines")
    with pytest.raises(StoreError, match="--force") as info:
        save_baseline(tmp_path, second.name, "main")
    assert first.name in str(info.value)
    assert tree_bytes(tmp_path / "baselines") == before
    replaced = save_baseline(tmp_path, second.name, "main", note="new", force=True)
    assert replaced.source_run == second.name
    assert [p.name for p in (tmp_path / "baselines").iterdir()] == ["main"]


def test_list_and_delete(tmp_path: Path) -> None:
    run_dir = save_run(tmp_path, make_result())
    save_baseline(tmp_path, run_dir.name, "a")
    save_baseline(tmp_path, "latest", "b")
    (tmp_path / "baselines" / ".tmp-b-123").mkdir()
    broken_dir = tmp_path / "baselines" / "broken"
    broken_dir.mkdir()
    (broken_dir / BASELINE_FILE).write_text("not = [toml")
    broken: list[str] = []
    names = [b.name for b in list_baselines(tmp_path, broken=broken)]
    assert sorted(names) == ["a", "b"]
    assert len(broken) == 1 and "broken" in broken[0]
    removed = delete_baseline(tmp_path, "a")
    assert removed.source_run == run_dir.name
    assert sorted(p.name for p in (tmp_path / "baselines").iterdir()) == [".tmp-b-123", "b", "broken"]
    assert run_dir.is_dir()  # the run itself stays
    with pytest.raises(StoreError, match="no baseline"):
        get_baseline_info(tmp_path, "a")


@pytest.mark.parametrize("name", ["..", "../x", "/tmp/x", "a/b", "", "a\nb", "y" * 65, ".tmp-x"])
def test_baseline_names_cannot_escape(tmp_path: Path, name: str) -> None:
    run_dir = save_run(tmp_path / "runs", make_result())
    before = tree_bytes(tmp_path)
    with pytest.raises(StoreError) as info:
        save_baseline(tmp_path / "runs", run_dir.name, name)
    assert "\n" not in str(info.value)
    for action in (delete_baseline, load_baseline):
        with pytest.raises(StoreError):
            action(tmp_path / "runs", name)
    assert tree_bytes(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_baseline_of_missing_run(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no run"):
        save_baseline(tmp_path, "20200101T000000Z-nothing", "main")
    assert not (tmp_path / "baselines" / "main").exists()


def test_baseline_toml_is_read_through_its_record(tmp_path: Path) -> None:
    """A baseline saved before baselines of several (no ``runs``) holds its source run; a value of the wrong
    type is one line naming the file and the key."""
    run_dir = save_run(tmp_path, make_result())
    info = save_baseline(tmp_path, run_dir.name, "main")
    path = info.path / BASELINE_FILE
    saved = tomllib.loads(path.read_text())
    path.write_text(tomli_w.dumps({k: v for k, v in saved.items() if k != "runs"}))
    assert get_baseline_info(tmp_path, "main").run_ids == (run_dir.name,)
    path.write_text(tomli_w.dumps({**saved, "source_run": 7}))
    with pytest.raises(StoreError) as info_error:
        get_baseline_info(tmp_path, "main")
    assert str(info_error.value) == f"{path}: source_run: must be a string, got an integer"
