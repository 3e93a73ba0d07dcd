"""Run snapshots on disk: one complete directory per run under the runs directory.

Layout of ``<runs_dir>/<run_id>/``: ``run.toml`` (human-readable metadata, see
:func:`perfconsole.store.run_toml.metadata_dict`), ``data.json`` (the full result: endpoints, time series,
failures, exceptions, resources) and any Locust CSV/HTML files the engine writes through the
``write_artifacts`` callback. A directory is built hidden and renamed into place when complete; secrets
are redacted from every file before that.

A run is complete when every file its ``run.toml`` lists under ``files`` is there, a regular file
(:func:`check_complete`); run.toml is written last, once the others are on disk, so a save cut short has no
run.toml and is never taken for a run. Runs saved before run.toml listed its files need run.toml and
data.json (the only files that version always wrote). Listing, loading, comparing and the crash recovery
(perfconsole.store.sweep) all read a run through :func:`read_run_metadata`, which checks this.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import tomli_w

from perfconsole import __version__
from perfconsole.errors import StoreError
from perfconsole.model.run import RunResult
from perfconsole.store.atomic import is_temp_name, staged_directory
from perfconsole.store.data_codec import result_from_dict, result_to_dict
from perfconsole.store.faults import fault_point
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.names import RUN_ID_MAX_LENGTH, run_id_base, validate_name
from perfconsole.store.redact import redact_argv, redact_file_in_place, redact_obj, redact_text
from perfconsole.store.run_toml import metadata_dict, toml_safe
from perfconsole.store.safe_read import finite, plausible_duration, read_json, read_toml, special_kind
from perfconsole.store.schema import DATA_FORMAT, RUN_FORMAT, SCHEMA_VERSION, CodecError, check_header

RUN_FILE = "run.toml"
DATA_FILE = "data.json"
FILES_KEY = "files"
"""run.toml's list of every file of the run directory (relative paths, run.toml included)."""
LEGACY_FILES = (RUN_FILE, DATA_FILE)
"""What a run saved before run.toml listed its files must hold (the rest was optional then)."""
BASELINES_DIR = "baselines"
"""Sub-directory of the runs directory holding baselines (never a run id: ids start with a date)."""
RUN_KINDS = ("final", "manual")
LATEST = "latest"
REQUIRED_METADATA = (
    "id",
    "kind",
    "started_at",
    "ended_at",
    "duration_s",
    "scenario_path",
    "interrupted",
    "thresholds_passed",
    "versions",
    "summary",
)
"""Keys every run.toml has; a missing one means the file was truncated or is not ours."""
"""Reference that resolves to the newest run."""

SAVE_ATTEMPTS = 5
ArtifactWriter = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a listing shows about a run, read from its ``run.toml`` only."""

    run_id: str
    path: Path
    name: str | None
    note: str | None
    kind: str
    started_at: datetime | None
    duration_s: float | None
    profile: str | None
    host: str
    interrupted: bool
    thresholds_passed: bool
    summary: Mapping[str, Any]
    validity: str = ""
    """``valid``, ``invalid: <reasons>``, or empty for a run saved before stamps."""

    @property
    def invalid(self) -> bool:
        return self.validity.startswith("invalid")

    """``requests``, ``failures``, ``error_rate_pct``, ``rps``, ``avg_ms``, ``p50_ms``, ``p95_ms`` ..."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.run_id,
            "path": str(self.path),
            "name": self.name,
            "note": self.note,
            "kind": self.kind,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "duration_s": self.duration_s,
            "profile": self.profile,
            "host": self.host,
            "interrupted": self.interrupted,
            "thresholds_passed": self.thresholds_passed,
            "validity": self.validity,
            "summary": dict(self.summary),
        }


# ---------------------------------------------------------------- reading


read_toml_file = read_toml
"""Parse a TOML file within bounds; any problem is a one-line StoreError naming the file."""
read_json_file = read_json
"""Parse a JSON file within bounds; any problem is a one-line StoreError naming the file."""


def read_run_metadata(run_dir: Path) -> dict[str, Any]:
    """``run.toml`` of a run directory, checked for format and schema version."""
    path = run_dir / RUN_FILE
    meta = read_toml_file(path)
    try:
        check_header(meta, RUN_FORMAT)
        missing = [key for key in REQUIRED_METADATA if key not in meta]
        if missing:
            raise CodecError(f"missing field {missing[0]} (truncated?)")
        if not isinstance(meta["id"], str):
            raise CodecError("field id must be a string")
        _check_entries(meta, "annotations", ("elapsed_s", "text", "kind"))
        _check_entries(meta, "thresholds", ("endpoint", "metric", "limit", "passed", "comparison"))
        files = run_files(meta)
    except CodecError as exc:
        raise StoreError(f"{path}: {exc}") from None
    check_complete(run_dir, files)
    return meta


def run_files(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """The files a run directory must hold, from its run.toml (:data:`LEGACY_FILES` when it lists none)."""
    listed = meta.get(FILES_KEY)
    if listed is None:
        return LEGACY_FILES
    if not isinstance(listed, list) or not all(_relative_name(name) for name in listed):
        raise CodecError(f"field {FILES_KEY} must list the run's files by relative path")
    return tuple(listed)


def _relative_name(name: object) -> bool:
    if not isinstance(name, str) or not name or name.startswith("/"):
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


def _check_entries(meta: Mapping[str, Any], key: str, fields: tuple[str, ...]) -> None:
    entries = meta.get(key, [])
    if not isinstance(entries, list):
        raise CodecError(f"field {key} must be a list of tables")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or any(f not in entry for f in fields):
            raise CodecError(f"{key}[{index}] is incomplete (truncated?)")


def _check_consistent(meta: Mapping[str, Any], data: Mapping[str, Any], result: RunResult) -> None:
    """run.toml repeats parts of data.json: a mismatch means one of them was truncated or edited."""
    if data.get("id") != meta["id"]:
        raise CodecError(f"id {meta['id']!r} does not match {DATA_FILE} ({data.get('id')!r})")
    for key, stored in (("annotations", result.annotations), ("thresholds", result.thresholds)):
        if len(meta.get(key, [])) != len(stored):
            raise CodecError(f"{key} do not match {DATA_FILE} (truncated or edited?)")


def _opt_str(meta: Mapping[str, Any], key: str) -> str | None:
    value = meta.get(key)
    return value if isinstance(value, str) else None


def run_info_from_metadata(run_dir: Path, meta: Mapping[str, Any]) -> RunInfo:
    started = meta.get("started_at")
    duration = meta.get("duration_s")
    summary = meta.get("summary")
    return RunInfo(
        run_id=str(meta["id"]),
        path=run_dir,
        name=_opt_str(meta, "name"),
        note=_opt_str(meta, "note"),
        kind=_opt_str(meta, "kind") or "final",
        started_at=started if isinstance(started, datetime) else None,
        duration_s=plausible_duration(duration),
        profile=_opt_str(meta, "profile"),
        host=_opt_str(meta, "host") or "",
        interrupted=meta.get("interrupted") is True,
        thresholds_passed=meta.get("thresholds_passed") is not False,
        summary=_clean_summary(summary),
        validity=_opt_str(meta, "validity") or "",
    )


def _clean_summary(summary: object) -> dict[str, Any]:
    """Figures as listings can print them: finite numbers, strings, else None (a hand-edited NaN ...)."""
    if not isinstance(summary, Mapping):
        return {}
    return {
        str(key): value if isinstance(value, str) else finite(value)
        for key, value in summary.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


def load_run_dir(run_dir: Path) -> LoadedRun:
    """Load a run (or baseline) directory: metadata and full result. Raises StoreError."""
    if not run_dir.is_dir():
        raise StoreError(f"{run_dir}: no such run directory")
    meta = read_run_metadata(run_dir)
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
        _check_consistent(meta, data, result)
    except CodecError as exc:
        raise StoreError(f"{run_dir / RUN_FILE}: {exc}") from None
    return LoadedRun(run_id=str(meta["id"]), path=run_dir, metadata=meta, result=result)


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


# ---------------------------------------------------------------- writing


def _scenario_sha256(scenario_path: str) -> str:
    try:
        return hashlib.sha256(Path(scenario_path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _versions() -> dict[str, str]:
    try:
        locust_version = importlib_metadata.version("locust")
    except importlib_metadata.PackageNotFoundError:
        locust_version = "unknown"
    return {"perfconsole": __version__, "locust": locust_version, "python": platform.python_version()}


def _unique_run_dir(runs_dir: Path, base: str) -> Path:
    candidate = runs_dir / base
    suffix = 2
    while candidate.exists():
        candidate = runs_dir / f"{base}-{suffix}"
        suffix += 1
    return candidate


def encode_run_files(
    result: RunResult,
    *,
    run_id: str,
    name: str | None,
    note: str | None,
    kind: str,
    files: tuple[str, ...] = LEGACY_FILES,
) -> dict[str, bytes]:
    """The bytes of ``run.toml`` and ``data.json`` for a run, secrets already redacted; run.toml lists
    ``files`` (every file of the run directory)."""
    clean = replace(result, command_line=redact_argv(result.command_line))
    meta = metadata_dict(
        clean,
        run_id=run_id,
        name=name,
        note=note,
        kind=kind,
        scenario_sha256=_scenario_sha256(result.scenario_path),
        hostname=socket.gethostname(),
        versions=_versions(),
    )
    meta_toml = toml_safe(redact_obj(meta))
    assert isinstance(meta_toml, dict)
    meta_toml[FILES_KEY] = sorted({*files, RUN_FILE, DATA_FILE})
    data = {
        "format": DATA_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "id": run_id,
        "result": redact_obj(result_to_dict(clean)),
    }
    return {
        RUN_FILE: tomli_w.dumps(meta_toml).encode("utf-8"),
        DATA_FILE: (json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8"),
    }


def _redact_artifacts(staging: Path, own_files: set[str]) -> None:
    for path in sorted(staging.rglob("*")):
        if path.is_file() and path.relative_to(staging).as_posix() not in own_files:
            redact_file_in_place(path)


def _files_in(staging: Path) -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()))


def check_runs_dir(runs_dir: Path) -> None:
    """Fail early, in one line, when runs cannot be saved under ``runs_dir`` (before a run, not after):
    a probe file is written and fsynced there (perfconsole.store.probe)."""
    from perfconsole.store.probe import probe_runs_dir

    probe_runs_dir(runs_dir)


def save_run(
    runs_dir: Path,
    result: RunResult,
    *,
    name: str | None = None,
    note: str | None = None,
    kind: str = "final",
    write_artifacts: ArtifactWriter | None = None,
) -> Path:
    """Save ``result`` as a new, complete run directory and return its path.

    ``kind`` is ``final`` (end of run) or ``manual`` (snapshot taken mid-run). ``write_artifacts``, if
    given, is called with the hidden staging directory to add Locust CSV/HTML files; they are redacted
    before the directory is renamed into place. On any failure nothing is left behind and a StoreError
    is raised.
    """
    if name is not None:
        validate_name(name, "run name")
    if kind not in RUN_KINDS:
        raise StoreError(f"invalid run kind {kind!r} (expected one of {', '.join(RUN_KINDS)})")
    try:
        runs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create runs directory {runs_dir}: {exc.strerror}") from None
    base_id = run_id_base(result.started_at, result.scenario_path, result.profile, name)
    for _attempt in range(SAVE_ATTEMPTS):
        final_dir = _unique_run_dir(runs_dir, base_id)
        run_id = final_dir.name
        try:
            with staged_directory(final_dir) as staging:
                (staging / DATA_FILE).write_bytes(
                    encode_run_files(result, run_id=run_id, name=name, note=note, kind=kind)[DATA_FILE]
                )
                if write_artifacts is not None:
                    write_artifacts(staging)
                    _redact_artifacts(staging, {DATA_FILE})
                fault_point("artifacts-written")
                files = encode_run_files(
                    result, run_id=run_id, name=name, note=note, kind=kind, files=_files_in(staging)
                )
                (staging / RUN_FILE).write_bytes(files[RUN_FILE])  # last: it makes the directory a run
        except FileExistsError as exc:
            if final_dir.exists():
                continue  # another process took this id between the check and the rename
            raise StoreError(f"cannot save run {run_id} in {runs_dir}: {redact_text(str(exc))}") from None
        except Exception as exc:
            reason = redact_text(str(exc)) or type(exc).__name__
            raise StoreError(f"cannot save run {run_id} in {runs_dir}: {reason}") from None
        return final_dir
    raise StoreError(f"cannot save run {base_id} in {runs_dir}: run ids keep being taken")
