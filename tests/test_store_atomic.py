"""Crash-safe writes: complete or absent, never half-written, no temp leftovers."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfconsole.store.atomic import atomic_write_bytes, atomic_write_text, remove_directory, staged_directory


def test_atomic_write_replaces_content_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old")
    atomic_write_text(target, "new content")
    assert target.read_text() == "new content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_failed_atomic_write_keeps_old_content(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_staged_directory_appears_complete(tmp_path: Path) -> None:
    final = tmp_path / "run"
    with staged_directory(final) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".")
        assert not final.exists()
        (staging / "a.txt").write_text("a")
    assert (final / "a.txt").read_text() == "a"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_staged_directory_failure_leaves_nothing(tmp_path: Path) -> None:
    final = tmp_path / "run"
    with pytest.raises(RuntimeError), staged_directory(final) as staging:
        (staging / "a.txt").write_text("a")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_staged_directory_refuses_existing_target(tmp_path: Path) -> None:
    final = tmp_path / "run"
    final.mkdir()
    (final / "keep.txt").write_text("keep")
    with pytest.raises(FileExistsError), staged_directory(final):
        pass
    assert (final / "keep.txt").read_text() == "keep"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_staged_directory_replace_swaps_whole_directory(tmp_path: Path) -> None:
    final = tmp_path / "base"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with staged_directory(final, replace=True) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in final.iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["base"]


def test_remove_directory(tmp_path: Path) -> None:
    doomed = tmp_path / "x"
    (doomed / "sub").mkdir(parents=True)
    (doomed / "sub" / "f").write_text("f")
    remove_directory(doomed)
    assert list(tmp_path.iterdir()) == []
