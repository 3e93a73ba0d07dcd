"""Fault injection, worker loss: SIGKILL one of two workers mid-run. The loss is on stderr within seconds
naming the worker's host, its users are re-spawned on the survivor (users back to the target), the summary
and the saved run carry the warning, and the run fails (exit 10) with a ``workers lost`` check."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from test_fault_signals import _popen

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target
from perfconsole.model.run_warnings import WarningKind
from perfconsole.store.runs import list_runs, load_run_dir

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=2) as demo:
        yield demo


def _next_line(proc: psutil.Popen, lines: list[str], needle: str, deadline_s: float = 60) -> str:
    stream = proc.stderr
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        line = stream.readline()
        assert line, f"ended before {needle!r}: {''.join(lines)}"
        lines.append(line)
        if needle in line:
            return line
    raise AssertionError(f"no {needle!r} within {deadline_s} s: {''.join(lines)}")


def test_killed_worker_is_flagged_and_its_users_respawned(tmp_path: Path, target: DemoTargetProcess) -> None:
    (tmp_path / "config.toml").write_text("[thresholds]\np95_ms = 5000\nerror_rate_pct = 50\nmin_rps = 0.1\n")
    (tmp_path / "scenarios").symlink_to(Path(__file__).resolve().parent.parent / "scenarios")
    args = f"--scenario health --workers 2 -u 6 -r 6 -t 20s --host {target.url} --summary-json".split()
    proc = _popen(tmp_path, args)
    lines: list[str] = []
    _next_line(proc, lines, "users 6/6")
    workers = [p for p in psutil.Process(proc.pid).children() if "worker_main" in " ".join(p.cmdline())]
    assert len(workers) == 2
    workers[0].send_signal(signal.SIGKILL)
    killed = time.monotonic()

    lost = _next_line(proc, lines, "worker lost:")
    flagged_after = time.monotonic() - killed
    print(f"worker loss flagged {flagged_after:.1f} s after the kill: {lost.strip()}")
    assert f"on host {socket.gethostname()}" in lost and "1 worker(s) left" in lost
    assert flagged_after < 15  # about 4 s; generous for a busy machine
    _next_line(proc, lines, "re-spawned on 1 survivor(s)")
    _next_line(proc, lines, "users 6/6")  # the survivor runs all six (3/6 without the re-spawn)

    out, err = proc.communicate(timeout=60)
    lines.append(err)
    assert proc.returncode == 10, "".join(lines)  # a lost worker fails the run
    summary = json.loads(out)
    assert any("worker lost mid-run" in w for w in summary["warnings"]), summary["warnings"]
    (info,) = list_runs(tmp_path / "runs")
    loaded = load_run_dir(info.path)
    assert any("worker lost mid-run" in w.text for w in loaded.result.warnings)
    assert WarningKind.WORKER_LOST in {w.kind for w in loaded.result.warnings}
    failed = [t for t in loaded.result.thresholds if not t.passed]
    assert [(t.endpoint, t.metric, t.actual) for t in failed] == [("workers", "lost", 1.0)]
    assert any(a.kind == "worker" and "worker lost" in a.text for a in loaded.result.annotations)
    # a lost worker makes the run an invalid measurement: stamped in the summary, data.json and run.toml
    assert summary["validity"]["valid"] is False
    assert any(r.startswith("worker lost mid-run") for r in summary["validity"]["reasons"])
    assert loaded.result.validity is not None and not loaded.result.validity.valid
    assert info.validity.startswith("invalid: worker lost mid-run")


def test_console_message_line_names_the_lost_worker(tmp_path: Path, target: DemoTargetProcess) -> None:
    """The console: a worker killed mid-run is named with its host on the message line within seconds,
    and its users go to the survivor."""
    import asyncio

    from test_tui_pilot import SCENARIOS_DIR, console_settings, message, start_run, wait_for

    from perfconsole.config import SpikeDrill
    from perfconsole.tui.app import make_app

    settings = console_settings(target.url, workers=2, spike=SpikeDrill(), runs_dir=tmp_path)
    settings = replace(
        settings, profiles={"tiny": replace(settings.profiles["tiny"], users=4, spawn_rate=4.0)}
    )
    app = make_app(settings, scenarios_dir=SCENARIOS_DIR, refresh_s=0.5)

    async def drive() -> float:
        async with app.run_test(size=(120, 30)) as pilot:
            session = await start_run(pilot, app)
            await wait_for(pilot, lambda: session.snapshot().user_count == 4, "4 users on two workers")
            psutil.Process(session.worker_pids[0]).send_signal(signal.SIGKILL)
            killed = time.monotonic()
            seen: list[str] = []

            def lost_shown() -> bool:
                seen.append(message(app))
                return "worker lost:" in seen[-1]

            await wait_for(pilot, lost_shown, "the loss on the message line")
            flagged_after = time.monotonic() - killed
            assert f"on host {socket.gethostname()}" in seen[-1]
            await wait_for(pilot, lambda: session.snapshot().user_count == 4, "the users re-spawned")
            await pilot.press("q", "y")
            await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=30)
            return flagged_after

    flagged_after = asyncio.run(drive())
    print(f"console: worker loss on the message line {flagged_after:.1f} s after the kill")
    assert flagged_after < 15  # about 4 s; generous for a busy machine
