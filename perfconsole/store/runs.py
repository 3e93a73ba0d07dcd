"""Run snapshots on disk, read back: one complete directory per run under the runs directory.

Layout of ``<runs_dir>/<run_id>/``: ``run.toml`` (human-readable metadata, declared in
:mod:`perfconsole.store.run_toml`), ``data.json`` (the full result: endpoints, time series, failures,
exceptions, resources) and any Locust CSV/HTML files the engine wrote; :mod:`perfconsole.store.run_save`
writes them.

A run is complete when every file its ``run.toml`` lists under ``files`` is there, a regular file
(:func:`check_complete`); run.toml is written last, once the others are on disk, so a save cut short has no
run.toml and is never taken for a run. Runs saved before run.toml listed its files need run.toml and
data.json (the only files that version always wrote). Listing, loading, comparing and the crash recovery
(perfconsole.store.sweep) all read a run through :func:`read_run_metadata`, which checks this.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perfconsole.errors import StoreError
from perfconsole.model.run import RunResult
from perfconsole.store.atomic import is_temp_name
from perfconsole.store.data_codec import result_from_dict
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.names import RUN_ID_MAX_LENGTH, validate_name
from perfconsole.store.run_info import RunInfo, run_info_from_metadata
from perfconsole.store.run_toml import RunToml, decode_run_toml
from perfconsole.store.safe_read import read_json, read_toml, special_kind
from perfconsole.store.schema import DATA_FORMAT, RUN_FORMAT, CodecError, check_header

RUN_FILE = "run.toml"
DATA_FILE = "data.json"
FILES_KEY = "files"
"""run.toml's list of every file of the run directory (relative paths, run.toml included)."""
LEGACY_FILES = (RUN_FILE, DATA_FILE)
"""What a run saved before run.toml listed its files must hold (the rest was optional then)."""
BASELINES_DIR = "baselines"
"""Sub-directory of the runs directory holding baselines (never a run id: ids start with a date)."""
LATEST = "latest"
"""Reference that resolves to the newest run."""

read_toml_file = read_toml
"""Parse a TOML file within bounds; any problem is a one-line StoreError naming the file."""
read_json_file = read_json
"""Parse a JSON file within bounds; any problem is a one-line StoreError naming the file."""


def _read_run_toml(run_dir: Path) -> tuple[dict[str, Any], RunToml]:
    path = run_dir / RUN_FILE
    meta = read_toml_file(path)
    try:
        check_header(meta, RUN_FORMAT)
        record = decode_run_toml(meta)
        files = run_files(record)
    except CodecError as exc:
        raise StoreError(f"{path}: {exc}") from None
    check_complete(run_dir, files)
    return meta, record


def read_run_metadata(run_dir: Path) -> RunToml:
    """``run.toml`` of a run directory, checked for format, schema version, its declared fields and the
    files it lists (:func:`check_complete`)."""
    return _read_run_toml(run_dir)[1]


def run_files(meta: RunToml) -> tuple[str, ...]:
    """The files a run directory must hold, from its run.toml (:data:`LEGACY_FILES` when it lists none)."""
    if meta.files is None:
        return LEGACY_FILES
    if not all(_relative_name(name) for name in meta.files):
        raise CodecError(f"field {FILES_KEY} must list the run's files by relative path")
    return meta.files


def _relative_name(name: str) -> bool:
    if not name or name.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def check_complete(run_dir: Path, files: tuple[str, ...]) -> None:
    """StoreError unless each of ``files`` is a regular file in ``run_dir`` (nothing is opened)."""
    for name in files:
        path = run_dir / name
        try:
            kind = special_kind(os.lstat(path).st_mode)
        except FileNotFoundError:
            raise StoreError(f"{path}: file is missing (incomplete run)") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
        if kind is not None:
            raise StoreError(f"{path}: is {kind}, not a regular file: not read")


def _check_consistent(meta: RunToml, data: Mapping[str, Any], result: RunResult) -> None:
    """run.toml repeats parts of data.json: a mismatch means one of them was truncated or edited."""
    if data.get("id") != meta.id:
        raise CodecError(f"id {meta.id!r} does not match {DATA_FILE} ({data.get('id')!r})")
    for key, written, stored in (
        ("annotations", meta.annotations, result.annotations),
        ("thresholds", meta.thresholds, result.thresholds),
    ):
        if len(written) != len(stored):
            raise CodecError(f"{key} do not match {DATA_FILE} (truncated or edited?)")


def load_run_dir(run_dir: Path) -> LoadedRun:
    """Load a run (or baseline) directory: metadata and full result. Raises StoreError."""
    if not run_dir.is_dir():
        raise StoreError(f"{run_dir}: no such run directory")
    meta, record = _read_run_toml(run_dir)
    data_path = run_dir / DATA_FILE
    data = read_json_file(data_path)
    try:
        if not isinstance(data, dict):
            raise CodecError("not a JSON object")
        check_header(data, DATA_FORMAT)
        result = result_from_dict(data.get("result"))
    except CodecError as exc:
        raise StoreError(f"{data_path}: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        raise StoreError(f"{data_path}: unexpected content ({type(exc).__name__})") from None
    try:
        _check_consistent(record, data, result)
    except CodecError as exc:
        raise StoreError(f"{run_dir / RUN_FILE}: {exc}") from None
    return LoadedRun(run_id=record.id, path=run_dir, metadata=meta, result=result, record=record)


def _run_dirs(runs_dir: Path) -> list[Path]:
    if not runs_dir.is_dir():
        return []
    return sorted(
        entry
        for entry in runs_dir.iterdir()
        if entry.is_dir() and not is_temp_name(entry.name) and entry.name != BASELINES_DIR
    )


def list_runs(runs_dir: Path, *, broken: list[str] | None = None) -> list[RunInfo]:
    """Runs newest first. Unreadable run directories are skipped; their errors go to ``broken``."""
    infos: list[RunInfo] = []
    for run_dir in _run_dirs(runs_dir):
        try:
            infos.append(run_info_from_metadata(run_dir, read_run_metadata(run_dir)))
        except StoreError as exc:
            if broken is not None:
                broken.append(str(exc))
    infos.sort(key=lambda info: (info.started_at.timestamp() if info.started_at else 0.0, info.run_id))
    infos.reverse()
    return infos


def find_run_dir(ref: str, runs_dir: Path) -> Path:
    """Directory of a run given by id, name (the newest run saved with it), unique id prefix or ``latest``;
    refuses path-like references."""
    if ref == LATEST:
        runs = list_runs(runs_dir)
        if not runs:
            raise StoreError(f"no runs in {runs_dir}")
        return runs[0].path
    validate_name(ref, "run id", max_length=RUN_ID_MAX_LENGTH)
    exact = runs_dir / ref
    if ref != BASELINES_DIR and exact.is_dir():
        return exact
    named = [info for info in list_runs(runs_dir) if info.name == ref]  # newest first
    if named:
        return named[0].path
    matches = [d for d in _run_dirs(runs_dir) if d.name.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(d.name for d in matches[:3])
        raise StoreError(f"run id {ref!r} is ambiguous ({len(matches)} runs match: {shown}...)")
    raise StoreError(f"no run {ref!r} (id or name) in {runs_dir} (see 'perfconsole runs')")


def load_run(path_or_id: Path | str, runs_dir: Path) -> LoadedRun:
    """Load a run by directory (a ``Path``) or by id/prefix/``latest`` (a ``str``) within ``runs_dir``."""
    if isinstance(path_or_id, Path):
        return load_run_dir(path_or_id)
    return load_run_dir(find_run_dir(path_or_id, runs_dir))
