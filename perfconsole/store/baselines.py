"""Named baselines: copies of run snapshots under ``<runs_dir>/baselines/<name>/``.

A baseline directory holds the source run's files unchanged plus ``baseline.toml`` (format, schema
version, name, source run id, note, creation time). A baseline of several runs (up to
``MAX_BASELINE_RUNS``) keeps the first as above and each other run's files under ``runs/<run id>/``;
``baseline.toml``'s ``runs`` lists them all, first first: comparisons read their spread. Baselines are
never overwritten silently: saving over an existing one requires ``force``; the replacement is built
completely before it takes the place of the old one.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec
import tomli_w
from msgspec import Meta

from perfconsole.errors import StoreError
from perfconsole.store.atomic import is_temp_name, remove_directory, staged_directory
from perfconsole.store.loaded_run import LoadedRun
from perfconsole.store.names import RUN_ID_MAX_LENGTH, validate_name
from perfconsole.store.records import Record, decode
from perfconsole.store.redact import redact_text
from perfconsole.store.run_info import RunInfo, run_info_from_metadata
from perfconsole.store.run_toml import RunToml, toml_safe, utc_datetime
from perfconsole.store.runs import BASELINES_DIR, load_run, load_run_dir, read_run_metadata, read_toml_file
from perfconsole.store.safe_read import open_regular
from perfconsole.store.schema import SCHEMA_VERSION, CodecError, check_header

BASELINE_FILE = "baseline.toml"
EXTRA_RUNS_DIR = "runs"
MAX_BASELINE_RUNS = 10
BASELINE_FORMAT = "perfconsole-baseline"
BASELINE_PREFIX = "baseline:"
RUN_PREFIX = "run:"


class BaselineToml(Record, kw_only=True):
    """``baseline.toml``, declared once: written by :func:`save_baseline`, read with types checked."""

    format: str
    schema_version: Annotated[int, Meta(ge=1)]
    name: str = ""
    source_run: str
    runs: tuple[str, ...] = ()
    """Every run the baseline holds, first first (absent before baselines of several)."""
    note: str | None = None
    created_at: datetime | None = None

    @property
    def run_ids(self) -> tuple[str, ...]:
        return self.runs or (self.source_run,)


@dataclass(frozen=True, slots=True)
class BaselineInfo:
    """A baseline as listings show it: its own metadata and the snapshot's."""

    name: str
    path: Path
    source_run: str
    note: str | None
    created_at: datetime | None
    run: RunInfo
    run_ids: tuple[str, ...] = ()
    """Every run the baseline holds, first first."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "source_run": self.source_run,
            "note": self.note,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "runs": list(self.run_ids),
            "run": self.run.to_dict(),
        }


def baselines_dir(runs_dir: Path) -> Path:
    return runs_dir / BASELINES_DIR


def baseline_path(runs_dir: Path, name: str) -> Path:
    """Directory of baseline ``name`` (validated: it cannot leave the baselines directory)."""
    return baselines_dir(runs_dir) / validate_name(name, "baseline name")


def _read_baseline(path: Path) -> tuple[dict[str, Any], BaselineToml]:
    """``baseline.toml`` as parsed and as its record; StoreError in one line naming the file."""
    meta_path = path / BASELINE_FILE
    meta = read_toml_file(meta_path)
    try:
        check_header(meta, BASELINE_FORMAT)
        return meta, decode(meta, BaselineToml, root="document")
    except CodecError as exc:
        raise StoreError(f"{meta_path}: {exc}") from None


def _read_baseline_meta(path: Path) -> BaselineToml:
    return _read_baseline(path)[1]


def _info(path: Path, meta: BaselineToml, run_meta: RunToml) -> BaselineInfo:
    return BaselineInfo(
        name=path.name,
        path=path,
        source_run=meta.source_run,
        note=meta.note,
        created_at=meta.created_at,
        run=run_info_from_metadata(path, run_meta),
        run_ids=meta.run_ids,
    )


def get_baseline_info(runs_dir: Path, name: str) -> BaselineInfo:
    path = baseline_path(runs_dir, name)
    if not path.is_dir():
        raise StoreError(
            f"no baseline {name!r} in {baselines_dir(runs_dir)} (see 'perfconsole baseline list')"
        )
    return _info(path, _read_baseline_meta(path), read_run_metadata(path))


def load_baseline(runs_dir: Path, name: str) -> LoadedRun:
    """The baseline's snapshot, fully loaded, labelled with the baseline's name; its other runs in
    ``others``."""
    info = get_baseline_info(runs_dir, name)
    meta, record = _read_baseline(info.path)
    loaded = load_run_dir(info.path)
    others = tuple(
        load_run_dir(info.path / EXTRA_RUNS_DIR / validate_name(run_id, "baseline run"))
        for run_id in record.run_ids[1:]
    )
    return replace(loaded, baseline_name=info.name, baseline_meta=meta, others=others)


def list_baselines(runs_dir: Path, *, broken: list[str] | None = None) -> list[BaselineInfo]:
    """Baselines, newest first; unreadable ones are skipped and reported in ``broken``."""
    root = baselines_dir(runs_dir)
    if not root.is_dir():
        return []
    infos: list[BaselineInfo] = []
    for path in sorted(root.iterdir()):
        if not path.is_dir() or is_temp_name(path.name):
            continue
        try:
            infos.append(_info(path, _read_baseline_meta(path), read_run_metadata(path)))
        except StoreError as exc:
            if broken is not None:
                broken.append(str(exc))
    infos.sort(key=lambda b: (b.created_at.timestamp() if b.created_at else 0.0, b.name), reverse=True)
    return infos


def save_baseline(
    runs_dir: Path,
    run_ref: str | Path | Sequence[str | Path],
    name: str,
    *,
    note: str | None = None,
    force: bool = False,
    append: bool = False,
) -> BaselineInfo:
    """Promote one run, or several (their spread is the baseline's), to baseline ``name``; ``append``
    adds the runs to an existing baseline. Refuses to replace an existing baseline unless ``force``, and to
    hold more than ``MAX_BASELINE_RUNS`` runs."""
    refs = [run_ref] if isinstance(run_ref, str | Path) else list(run_ref)
    target = baseline_path(runs_dir, name)
    kept: list[LoadedRun] = []
    old_note: str | None = None
    if append:
        if not target.is_dir():
            raise StoreError(f"no baseline {name!r} to append to (see 'perfconsole baseline list')")
        old_note = _read_baseline_meta(target).note
        kept = [load_run_dir(target)] + list(load_baseline(runs_dir, name).others)
    elif target.exists() and not force:
        try:
            source = f" (from run {_read_baseline_meta(target).source_run})"
        except StoreError:
            source = ""
        raise StoreError(f"baseline {name!r} already exists{source}; use --force to replace it")
    added = [load_run(ref, runs_dir) for ref in refs]
    runs = kept + [run for run in added if run.run_id not in {k.run_id for k in kept}]
    ids = [run.run_id for run in runs]
    twice = sorted({run_id for run_id in ids if ids.count(run_id) > 1})
    if twice:
        raise StoreError(f"baseline {name!r}: a run is named twice ({', '.join(twice)})")
    if len(runs) > MAX_BASELINE_RUNS:
        raise StoreError(f"baseline {name!r} would hold {len(runs)} runs; at most {MAX_BASELINE_RUNS}")
    meta = BaselineToml(
        format=BASELINE_FORMAT,
        schema_version=SCHEMA_VERSION,
        name=name,
        source_run=ids[0],
        runs=tuple(ids),
        note=redact_text(note) if note else old_note,
        created_at=utc_datetime(time.time()),
    )
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with staged_directory(target, replace=force or append) as staging:
            _copy_run_files(runs[0].path, staging, skip=(EXTRA_RUNS_DIR,))
            for run in runs[1:]:
                extra = staging / EXTRA_RUNS_DIR / run.run_id
                extra.mkdir(mode=0o700, parents=True)
                _copy_run_files(run.path, extra, skip=(EXTRA_RUNS_DIR,))
            meta_toml = toml_safe(msgspec.to_builtins(meta, builtin_types=(datetime,)))
            assert isinstance(meta_toml, dict)
            (staging / BASELINE_FILE).write_bytes(tomli_w.dumps(meta_toml).encode("utf-8"))
    except FileExistsError:
        raise StoreError(f"baseline {name!r} already exists; use --force to replace it") from None
    except OSError as exc:
        raise StoreError(f"cannot save baseline {name!r} in {target.parent}: {exc.strerror or exc}") from None
    return get_baseline_info(runs_dir, name)


def _copy_run_files(source: Path, staging: Path, skip: tuple[str, ...] = ()) -> None:
    """Copy a run's files and sub-directories (but ``skip``); a FIFO, device or socket among them refuses
    the copy (copying one could block forever or never end)."""
    for item in sorted(source.iterdir()):
        if item.name == BASELINE_FILE or is_temp_name(item.name) or item.name in skip:
            continue
        target = staging / item.name
        if item.is_dir() and not item.is_symlink():
            target.mkdir(mode=0o700)
            _copy_run_files(item, target)
            continue
        fd = open_regular(item)
        with os.fdopen(fd, "rb") as source_file, open(target, "xb") as target_file:
            shutil.copyfileobj(source_file, target_file)
        shutil.copystat(item, target)


def delete_baseline(runs_dir: Path, name: str) -> BaselineInfo:
    """Remove baseline ``name`` (it disappears at once); returns what was removed."""
    info = get_baseline_info(runs_dir, name)
    try:
        remove_directory(info.path)
    except OSError as exc:
        raise StoreError(f"cannot delete baseline {name!r}: {exc.strerror or exc}") from None
    return info


def resolve(runs_dir: Path, ref: str | Path) -> LoadedRun:
    """Load what ``ref`` names: ``baseline:NAME``, ``run:ID``, a baseline name, a run id/prefix,
    ``latest``, or (a ``Path``) a run directory. Baseline names win over run ids."""
    if isinstance(ref, Path):
        return load_run_dir(ref)
    if ref.startswith(BASELINE_PREFIX):
        return load_baseline(runs_dir, ref[len(BASELINE_PREFIX) :])
    if ref.startswith(RUN_PREFIX):
        return load_run(ref[len(RUN_PREFIX) :], runs_dir)
    if (
        validate_name(ref, "run or baseline", max_length=RUN_ID_MAX_LENGTH)
        and (baselines_dir(runs_dir) / ref).is_dir()
    ):
        return load_baseline(runs_dir, ref)
    return load_run(ref, runs_dir)
