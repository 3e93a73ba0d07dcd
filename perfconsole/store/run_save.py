"""Saving a run: ``run.toml`` and ``data.json`` encoded with secrets redacted, Locust's files added by the
engine's callback, the directory staged hidden and renamed into place when complete
(:mod:`perfconsole.store.atomic`). The layout is :mod:`perfconsole.store.runs`'."""

from __future__ import annotations

import hashlib
import json
import platform
import socket
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata as importlib_metadata
from pathlib import Path

import tomli_w

from perfconsole import __version__
from perfconsole.errors import StoreError
from perfconsole.model.run import RunResult
from perfconsole.store.atomic import staged_directory
from perfconsole.store.data_codec import result_to_dict
from perfconsole.store.faults import fault_point
from perfconsole.store.names import run_id_base, validate_name
from perfconsole.store.redact import redact_argv, redact_file_in_place, redact_obj, redact_text
from perfconsole.store.run_toml import RUN_KINDS, run_toml_data
from perfconsole.store.runs import DATA_FILE, LEGACY_FILES, RUN_FILE
from perfconsole.store.schema import DATA_FORMAT, SCHEMA_VERSION

SAVE_ATTEMPTS = 5
ArtifactWriter = Callable[[Path], None]


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
    meta = run_toml_data(
        clean,
        run_id=run_id,
        name=name,
        note=note,
        kind=kind,
        scenario_sha256=_scenario_sha256(result.scenario_path),
        hostname=socket.gethostname(),
        versions=_versions(),
        files=tuple(sorted({*files, RUN_FILE, DATA_FILE})),
    )
    meta_toml = redact_obj(meta)
    assert isinstance(meta_toml, dict)
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
