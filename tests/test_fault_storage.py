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

from perfconsole.store.baselines import save_baseline
from perfconsole.store.runs import save_run

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


def test_full_runs_dir_is_refused_before_the_run(tmp_path: Path, full_disk: Path) -> None:
    runs = full_disk / "runs"
    workdir = _workdir(tmp_path, runs)
    _refused(run_perfconsole(HEADLESS, workdir), runs, "No space left on device")
    _refused(run_perfconsole(["--settings", "config.toml"], workdir), runs, "No space left on device")
    assert [p.name for p in full_disk.iterdir()] == ["filler"]  # the probe and its directory are gone


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
