"""Storage pre-checks and file modes: a full or unwritable runs directory is refused in one line before
any user starts (headless and console); everything saved is readable by its owner only."""

from __future__ import annotations

import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import ROOT, run_perfconsole
from test_store_factories import make_result

from perfconsole.model.run_warnings import WarningKind
from perfconsole.store.baselines import save_baseline
from perfconsole.store.run_save import save_run
from perfconsole.store.space import SpaceWatch, free_bytes, save_bytes_needed

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs, nearly full (needs root and mount: skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, timeout=10
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {done.stderr.decode().strip()}")
    try:
        (mount / "filler").write_bytes(b"\0" * 200 * 1024)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=10)


def _workdir(tmp_path: Path, runs_dir: Path) -> Path:
    (tmp_path / "config.toml").write_text(f'[run]\nruns_dir = "{runs_dir}"\n')
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    return tmp_path


def _refused(done: subprocess.CompletedProcess[str], runs_dir: Path, reason: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines  # nothing prepared, no user started
    assert lines[0].startswith(f"perfconsole: error: cannot write runs to {runs_dir}")
    assert reason in lines[0]
    assert done.stdout == ""


HEADLESS = ["run", "--headless", "--scenario", "health", "-u", "1", "-t", "2s", "--workers", "0"]


@pytest.mark.slow
def test_full_runs_dir_is_refused_before_the_run(tmp_path: Path, full_disk: Path) -> None:
    runs = full_disk / "runs"
    workdir = _workdir(tmp_path, runs)
    _refused(run_perfconsole(HEADLESS, workdir), runs, "No space left on device")
    _refused(run_perfconsole(["--settings", "config.toml"], workdir), runs, "No space left on device")
    assert [p.name for p in full_disk.iterdir()] == ["filler"]  # the probe and its directory are gone


@pytest.mark.slow
def test_runs_dir_that_os_access_calls_writable_is_refused(tmp_path: Path) -> None:
    runs = Path("/proc") / f"perfconsole-{uuid.uuid4().hex[:8]}"  # root passes os.access on /proc
    workdir = _workdir(tmp_path, runs)
    _refused(run_perfconsole(HEADLESS, workdir), runs, "")
    _refused(run_perfconsole(["--settings", "config.toml"], workdir), runs, "")


def _modes(root: Path) -> set[tuple[str, int]]:
    return {("d" if p.is_dir() else "f", stat.S_IMODE(p.stat().st_mode)) for p in [root, *root.rglob("*")]}


def test_saved_runs_and_baselines_are_owner_only(tmp_path: Path) -> None:
    runs = tmp_path / "runs"

    def artifacts(staging: Path) -> None:
        (staging / "locust_stats.csv").write_text("a,b\n")  # written by "third-party" code, umask modes
        (staging / "sub").mkdir()
        (staging / "sub" / "x.txt").write_text("x")

    run = save_run(runs, make_result(), write_artifacts=artifacts)
    save_baseline(runs, run.name, "base")
    save_baseline(runs, run.name, "base", force=True)
    assert _modes(runs) == {("d", 0o700), ("f", 0o600)}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (needs root and mount: skipped elsewhere)."""
    mount = tmp_path / "small4m"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, timeout=10
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=10)


@pytest.mark.slow
def test_the_space_watch_warns_once_when_free_space_falls_below_a_saves_need(small_disk: Path) -> None:
    runs = small_disk / "runs"
    watch = SpaceWatch(runs)  # the runs directory does not exist yet: its file system is asked
    needed = save_bytes_needed(60.0, 3, 1)
    assert 2 * 1024 * 1024 < needed < 3 * 1024 * 1024  # 1 MB of HTML page, a minute, three endpoints, x2
    assert watch.check(60.0, 3, 1) is None  # 4 MB free
    (small_disk / "filler").write_bytes(b"\0" * (4 * 1024 * 1024 - needed + 64 * 1024))
    free = free_bytes(runs)
    assert free is not None and free < needed
    warning = watch.check(60.0, 3, 1)
    assert warning is not None and warning.kind is WarningKind.DISK_SPACE
    assert f"in {runs}" in warning.text and "needs about" in warning.text
    assert watch.check(60.0, 3, 1) is None  # once per run


@pytest.mark.slow
def test_a_run_warns_when_its_runs_directory_fills_up(tmp_path: Path, small_disk: Path) -> None:
    """A real run whose runs directory has room for the pre-check's probe (1 MB) but maybe not for its save:
    the sampler warns while it runs (on stderr, and in the run if it fits), not only once a save fails."""
    runs = small_disk / "runs"
    workdir = _workdir(tmp_path, runs)
    (small_disk / "filler").write_bytes(b"\0" * int(2.4 * 1024 * 1024))  # about 1.6 MB left
    done = run_perfconsole([*HEADLESS[:-4], "-t", "4s", "--workers", "0"], workdir)
    lines = [line for line in done.stderr.splitlines() if "low disk space" in line]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("perfconsole: ") and f"free in {runs}" in lines[0]
    stderr = done.stderr.splitlines()
    started = next(i for i, line in enumerate(stderr) if line.startswith("perfconsole: target "))
    ended = next(i for i, line in enumerate(stderr) if "stopped |" in line)
    assert started < stderr.index(lines[0]) < ended  # said while it ran
