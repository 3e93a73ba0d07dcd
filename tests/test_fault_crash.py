"""Fault injection, crashes: SIGKILL during saves (50 times, at random moments), during `baseline save
--force` (between its steps, with the PERFCONSOLE_FAULT hook), and a killed headless run; every listed run
and the baseline stay complete, and a later start sweeps (recovers or removes) whatever was left."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import psutil
import pytest
import tomli_w
from cli_helpers import ROOT
from test_store_factories import make_endpoint, make_result

from perfconsole.application.sweep import sweep_leftovers
from perfconsole.errors import StoreError
from perfconsole.store.baselines import load_baseline, save_baseline
from perfconsole.store.faults import FAULT_ENV
from perfconsole.store.run_save import save_run
from perfconsole.store.runs import list_runs, load_run_dir
from perfconsole.store.sweep import INCOMPLETE_PREFIX

pytestmark = pytest.mark.timeout(180)

KILLS = 50


def _hidden(runs: Path) -> list[Path]:
    return sorted(p for p in runs.rglob(".*"))


def _stray(runs: Path) -> list[Path]:
    """Hidden entries other than incomplete saves kept aside by a sweep."""
    return [p for p in _hidden(runs) if not p.name.startswith(INCOMPLETE_PREFIX)]


def _assert_owner_only(run_dir: Path) -> None:
    for path in [run_dir, *run_dir.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def _assert_complete(run_dir: Path) -> None:
    """Complete, as listings see it, and every file the version writes for this saver is there."""
    loaded = load_run_dir(run_dir)
    assert set(loaded.metadata["files"]) == {"run.toml", "data.json", *ARTIFACTS}, run_dir
    _assert_owner_only(run_dir)


ARTIFACTS = ("locust_stats.csv", "report.html", "stages.csv")


def _saver_child(runs: Path, seed: int, *, once: bool = False, artifact_bytes: int = 4000) -> int:
    """Fork a child that saves a small synthetic run (with artifact files written at the default umask, as
    Locust's writers do) over and over, or ``once``."""
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns to pytest
        os.umask(0o022)
        endpoints = tuple(make_endpoint(f"/api/item/{i}") for i in range(40))
        result = make_result(endpoints, started_at=1_795_452_300.0 + seed)

        def artifacts(staging: Path) -> None:
            for name in ARTIFACTS:
                (staging / name).write_text("x," * (artifact_bytes // 2))

        while True:
            save_run(runs, result, name=f"k{seed}", write_artifacts=artifacts)
            if once:
                os._exit(0)
    finally:
        os._exit(1)


def _check_after_sweep(runs: Path, lines: list[str]) -> tuple[int, int]:
    """Every listed run complete and owner-only, every kept-aside save incomplete; (recovered, kept)."""
    assert _stray(runs) == [], lines
    broken: list[str] = []
    for info in list_runs(runs, broken=broken):
        _assert_complete(info.path)
    assert broken == []
    kept = [p for p in _hidden(runs) if p.name.startswith(INCOMPLETE_PREFIX)]
    for aside in kept:
        with pytest.raises(StoreError):
            load_run_dir(aside)
        _assert_owner_only(aside)
    recovered = sum(1 for line in lines if line.startswith("recovered"))
    return recovered, len(kept)


@pytest.mark.slow
def test_sigkill_at_random_moments_of_saves_then_a_sweep(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    rng = random.Random(12)
    for seed in range(KILLS):
        pid = _saver_child(runs, seed)
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    broken: list[str] = []
    listed = list_runs(runs, broken=broken)
    assert broken == []
    for info in listed:
        _assert_complete(info.path)  # every listed run is complete
    leftovers = _hidden(runs)
    print(f"{KILLS} kills: {len(listed)} complete runs, {len(leftovers)} leftovers")

    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    print("\n".join(lines))
    recovered, kept = _check_after_sweep(runs, lines)
    assert len(list_runs(runs)) == len(listed) + recovered
    if leftovers and recovered + kept < len(leftovers):
        assert any(line.startswith("removed") for line in lines)


LATE_KILLS = 40
ARTIFACT_BYTES = 300_000


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@pytest.mark.slow
def test_late_sigkills_of_saves_recover_complete_owner_only_runs_or_keep_them_aside(tmp_path: Path) -> None:
    """The issue's case: SIGKILL late in a save (while the artifacts are written, run.toml is written, modes
    are set and files fsynced). The delay before each kill seeks the end of a save whatever the machine's
    load: shorter after a save that finished, longer after one killed before its run.toml, with some jitter.
    The next start recovers only complete runs, with owner-only modes, and keeps the incomplete ones aside.
    Bounded: LATE_KILLS single saves."""
    runs = tmp_path / "runs"
    runs.mkdir()
    started = time.monotonic()
    _reap(_saver_child(tmp_path / "timing", 0, once=True, artifact_bytes=ARTIFACT_BYTES))
    delay_s = time.monotonic() - started
    rng = random.Random(21)
    for seed in range(LATE_KILLS):
        finished = len(list_runs(runs))
        pid = _saver_child(runs, seed, once=True, artifact_bytes=ARTIFACT_BYTES)
        time.sleep(delay_s * rng.uniform(0.9, 1.1))
        with contextlib.suppress(ProcessLookupError):  # the save may have finished
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        staged = [p for p in runs.iterdir() if p.name.startswith(".tmp-") and f"-k{seed}" in p.name]
        if len(list_runs(runs)) > finished:
            delay_s *= 0.85  # too late: it finished
        elif not any((p / "run.toml").exists() for p in staged):
            delay_s *= 1.1  # too early: before its run.toml
    saved = len(list_runs(runs))
    leftovers = len(_hidden(runs))
    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    recovered, kept = _check_after_sweep(runs, lines)
    removed = leftovers - recovered - kept
    print(
        f"late kills: {LATE_KILLS}: {saved} saves had finished, {recovered} recovered (complete, 0600), "
        f"{kept} kept aside (incomplete), {removed} removed"
    )
    assert saved + recovered + kept + removed == LATE_KILLS
    assert len(list_runs(runs)) == saved + recovered


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "expect"), [("artifacts-written", "kept aside"), ("staged-written", "recovered")]
)
def test_a_save_killed_before_or_after_its_run_toml(tmp_path: Path, point: str, expect: str) -> None:
    """Killed with the artifacts written but no run.toml yet: kept aside, never listed. Killed with run.toml
    written but the modes not yet set (Locust's files are 0644 then): recovered, complete and 0600."""
    runs = tmp_path / "runs"
    os.environ[FAULT_ENV] = point
    try:
        pid = _saver_child(runs, 0, once=True)
    finally:
        del os.environ[FAULT_ENV]
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    (staged,) = _hidden(runs)
    assert list_runs(runs) == []  # a staging directory is never listed
    if point == "staged-written":
        assert stat.S_IMODE((staged / "report.html").stat().st_mode) == 0o644
    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    assert len(lines) == 1 and lines[0].startswith(expect), lines
    recovered, kept = _check_after_sweep(runs, lines)
    assert (recovered, kept) == ((1, 0) if expect == "recovered" else (0, 1))
    assert sweep_leftovers(runs, temp_dir=tmp_path) == []  # what was kept aside stays, quietly


def _cli_child(args: list[str], env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    """``perfconsole ARGS`` in a child process (``code`` runs first, e.g. to disable a syscall)."""
    script = f"{code}\nfrom perfconsole.cli import main\nraise SystemExit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


NO_EXCHANGE = "import perfconsole.store.atomic as atomic\natomic._exchange = lambda a, b: False"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "code", "expect"),
    [
        ("staged-complete", "", "old"),
        ("replace-exchanged", "", "new"),
        ("replace-old-moved", NO_EXCHANGE, "new"),  # where RENAME_EXCHANGE is missing: two renames
    ],
)
def test_baseline_save_force_killed_between_steps(tmp_path: Path, point: str, code: str, expect: str) -> None:
    runs = tmp_path / "runs"
    old_run = save_run(runs, make_result(started_at=1_795_452_300.0), name="old").name
    new_run = save_run(runs, make_result(started_at=1_795_452_900.0), name="new").name
    save_baseline(runs, old_run, "base")
    done = _cli_child(
        ["baseline", "save", new_run, "base", "--force", "--runs-dir", str(runs)], {FAULT_ENV: point}, code
    )
    assert done.returncode == -signal.SIGKILL, done.stderr  # killed at the fault point
    assert _hidden(runs / "baselines")  # the kill left something behind
    if point != "replace-old-moved":  # one atomic exchange: the name never stops naming a baseline
        assert load_baseline(runs, "base").run_id == (old_run if expect == "old" else new_run)

    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    assert _hidden(runs) == [], lines
    assert load_baseline(runs, "base").run_id == (old_run if expect == "old" else new_run)
    assert len(list_runs(runs)) == 2
    if point == "replace-old-moved":
        assert lines[0] == "recovered base (a crash had stopped its save at the last step)"


@pytest.mark.slow
@pytest.mark.parametrize("next_command", [["save", "NEW", "third"], ["delete", "other"]])
def test_a_killed_baseline_save_is_swept_by_the_next_baseline_command(
    tmp_path: Path, next_command: list[str]
) -> None:
    """The issue's case: `baseline save --force` killed once its copy is complete leaves a hidden staging
    directory; the next command that writes the store (here another baseline save or a delete, no run)
    removes it and says so in one line."""
    runs = tmp_path / "runs"
    old_run = save_run(runs, make_result(started_at=1_795_452_300.0), name="old").name
    new_run = save_run(runs, make_result(started_at=1_795_452_900.0), name="new").name
    save_baseline(runs, old_run, "base")
    save_baseline(runs, old_run, "other")
    killed = _cli_child(
        ["baseline", "save", new_run, "base", "--force", "--runs-dir", str(runs)],
        {FAULT_ENV: "staged-complete"},
    )
    assert killed.returncode == -signal.SIGKILL
    (leftover,) = _hidden(runs / "baselines")
    assert leftover.name.startswith(".tmp-base-")
    args = [arg.replace("NEW", new_run) for arg in next_command]
    done = _cli_child(["baseline", *args, "--runs-dir", str(runs)], {})
    assert done.returncode == 0, done.stderr
    assert "removed 1 stale staging entry" in done.stderr, done.stderr
    assert _hidden(runs) == []
    assert load_baseline(runs, "base").run_id == old_run


@pytest.mark.slow
def test_a_killed_run_leaves_a_worker_log_that_a_later_start_removes(tmp_path: Path) -> None:
    """SIGKILL a real headless run with a worker: its log stays in TMPDIR; the next start removes it (once
    no process owns it and it is older than a minute: its age is set back here instead of waiting)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "--runs-dir", "runs"]
    proc = subprocess.Popen(
        [*command, *"--scenario health --workers 1 -u 1 -r 1 -t 30s".split()],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "running |" not in proc.stderr.readline():
        pass
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    proc.wait(timeout=10)
    _gone, alive = psutil.wait_procs(workers, timeout=30)  # the worker's watchdog stops it
    assert not alive
    logs = list(temp.glob("perfconsole-workers-*.log"))
    assert len(logs) == 2  # the worker's stdout and stderr
    held = subprocess.Popen(["sleep", "60"], stdout=open(temp / "perfconsole-workers-live.log", "ab"))  # noqa: SIM115
    try:
        for path in temp.glob("perfconsole-workers-*.log"):
            os.utime(path, (time.time() - 120, time.time() - 120))
        dead = subprocess.Popen(["true"])
        dead.wait()
        staging = tmp_path / "runs" / f".tmp-20261201T000000Z-x-{dead.pid}-0123abcd"  # a killed save's
        staging.mkdir(parents=True)
        (staging / "run.toml").write_text("half")
        later = subprocess.run(
            [*command, "--scenario", "health", "-t", "1s", "--host", "http://127.0.0.1:1"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert "removed 2 worker log(s)" in later.stderr, later.stderr
        kept = staging.with_name(staging.name.replace(".tmp-", INCOMPLETE_PREFIX))
        assert f"kept aside {kept.resolve()}" in later.stderr and not staging.exists() and kept.is_dir()
        assert [p.name for p in temp.glob("perfconsole-workers-*.log")] == ["perfconsole-workers-live.log"]
    finally:
        held.kill()
        held.wait()


def _as_saved_by_the_previous_version(run_dir: Path) -> None:
    """run.toml without its list of files (the previous version wrote none); modes as that version left."""
    meta = tomllib.loads((run_dir / "run.toml").read_text())
    del meta["files"]
    (run_dir / "run.toml").write_text(tomli_w.dumps(meta))


@pytest.mark.slow
def test_runs_saved_by_the_previous_version_still_list_and_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run whose run.toml lists no files is complete with run.toml and data.json (what that version always
    wrote; its CSVs and report were optional); a staged one is never recovered (that version wrote run.toml
    first, so it cannot tell a finished save), it is kept aside."""
    from perfconsole.cli import main

    runs = tmp_path / "runs"
    old = save_run(runs, make_result(started_at=1_795_452_300.0), name="old")
    new = save_run(runs, make_result(started_at=1_795_452_900.0), name="new")
    _as_saved_by_the_previous_version(old)
    assert [info.run_id for info in list_runs(runs)] == [new.name, old.name]
    assert main(["compare", old.name, new.name, "--runs-dir", str(runs)]) == 0
    assert "no regressions" in capsys.readouterr().out
    (old / "data.json").unlink()
    broken: list[str] = []
    assert [info.run_id for info in list_runs(runs, broken=broken)] == [new.name]
    assert broken == [f"{old / 'data.json'}: file is missing (incomplete run)"]

    dead = subprocess.Popen(["true"])
    dead.wait()
    staged = runs / f".tmp-{new.name}-x-{dead.pid}-0123abcd"
    shutil.copytree(new, staged)
    _as_saved_by_the_previous_version(staged)
    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    assert len(lines) == 1 and lines[0].startswith("kept aside") and "older version" in lines[0], lines
    assert not (runs / f"{new.name}-x").exists()


REAL_LATE_KILLS = 12


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_real_runs_killed_late_in_their_save(tmp_path: Path) -> None:
    """The probe's case on real runs: a 2 s headless run (Locust's own CSV and HTML writers, at the default
    umask) SIGKILLed at a random moment after it printed that it stopped, while it saves; REAL_LATE_KILLS
    times. The next start's sweep leaves only complete, owner-only runs and incomplete ones kept aside."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "--runs-dir", "runs"]
    rng = random.Random(8)
    killed = 0
    for _ in range(REAL_LATE_KILLS):
        proc = subprocess.Popen(
            [*command, *"--scenario health --workers 0 -u 2 -r 2 -t 2s".split()],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,
        )
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "stopped |" not in proc.stderr.readline():
            pass
        time.sleep(rng.uniform(0.0, 0.15))  # its save takes about 0.1 s here, after that line
        if proc.poll() is None:
            killed += 1
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its embedded demo target
        proc.wait(timeout=10)
        proc.stderr.close()
    runs = tmp_path / "runs"
    saved = len(list_runs(runs))
    lines = sweep_leftovers(runs, temp_dir=tmp_path)
    assert _stray(runs) == [], lines
    recovered = sum(1 for line in lines if line.startswith("recovered"))
    kept = [p for p in _hidden(runs) if p.name.startswith(INCOMPLETE_PREFIX)]
    broken: list[str] = []
    for info in list_runs(runs, broken=broken):
        loaded = load_run_dir(info.path)
        assert {"report.html", "locust_stats.csv", "data.json"} <= set(loaded.metadata["files"])
        _assert_owner_only(info.path)
    assert broken == []
    for aside in kept:
        with pytest.raises(StoreError):
            load_run_dir(aside)
        _assert_owner_only(aside)
    print(
        f"real late kills: {killed} of {REAL_LATE_KILLS} runs killed before they exited; {saved} saves had "
        f"finished, {recovered} recovered (complete, 0600), {len(kept)} kept aside (incomplete)"
    )
    assert saved + recovered + len(kept) <= REAL_LATE_KILLS
