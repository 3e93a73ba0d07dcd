"""Runs by the name they were saved with (``--save NAME``, the console's run name): several runs may share
a name; a reference by name means the newest of them."""

from __future__ import annotations

from pathlib import Path

from perfconsole.store.runs import RunInfo, list_runs


def runs_named(runs_dir: Path, name: str) -> list[RunInfo]:
    """Every readable run saved as ``name``, newest first."""
    return [info for info in list_runs(runs_dir) if info.name == name]


def newest_named(runs_dir: Path, name: str) -> Path | None:
    """The directory of the newest run saved as ``name``, or None."""
    named = runs_named(runs_dir, name)
    return named[0].path if named else None
