"""Targets and workers that are not on loopback: a network namespace per test (veth pair, private
10.213.X.0/30 addresses, deleted afterwards) serves the demo target and runs a Locust worker inside.
Skipped, with the reason, where namespaces cannot be made (not root, no ``ip``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import locust  # noqa: F401, I001  - first: gevent monkey-patching before any asyncio loop exists
import pytest
from cli_helpers import popen_perfconsole
from netns import Namespace, network_namespace
from test_tui_pilot import console_settings, dashboard, message, wait_for
from test_tui_resources_pilot import figures_text
from test_user_mix import CONFIG as MIX_CONFIG
from test_user_mix import TWO_CLASSES

from perfconsole.config import SpikeDrill
from perfconsole.tui.app import make_app

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"


def free_port_on(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def namespace_worker(ns: Namespace, locustfile: Path, port: int) -> subprocess.Popen[str]:
    """A plain Locust worker inside the namespace, dialling the master on this side's address."""
    return ns.popen(
        [sys.executable, "-m", "locust", "-f", str(locustfile), "--worker"]
        + ["--master-host", ns.outside, "--master-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def read_until(proc: subprocess.Popen[str], needle: str, seen: list[str], timeout_s: float = 60) -> str:
    """Read the child's stderr line by line until a line contains ``needle``; return that line."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"no line with {needle!r} in stderr: {''.join(seen)}")


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_headless_run_with_a_namespace_target_and_a_namespace_worker(tmp_path: Path) -> None:
    """The master binds this side's veth address; one local worker dials that address (not loopback) and
    one worker inside the namespace joins it; the wait names the command, the count and the hosts; the
    users load the demo target served inside the namespace, with a 10:0 class mix across both workers."""
    (tmp_path / "config.toml").write_text(MIX_CONFIG)
    mix = tmp_path / "mix.py"
    mix.write_text(TWO_CLASSES)
    with network_namespace() as ns:
        url = ns.demo_target()
        assert url.startswith(f"http://{ns.inside}:")
        port = free_port_on(ns.outside)
        args = "run --headless -f mix.py --load-profile tenzero --workers 1 --expect-workers 2".split()
        args += ["--master-bind-host", ns.outside, "--master-bind-port", str(port), "--host", url]
        proc = popen_perfconsole([*args, "--expect-workers-max-wait", "90", "--summary-json"], tmp_path)
        seen: list[str] = []
        try:
            waiting = read_until(proc, "waiting for workers: 1 of 2 worker(s) joined", seen)
            assert f"({socket.gethostname()})" in waiting, waiting
            expected = f"perfconsole worker -f mix.py --master-host {ns.outside} --master-port {port}"
            assert waiting.rstrip().endswith(f"start one elsewhere with: {expected}"), waiting
            worker = namespace_worker(ns, mix, port)
            read_until(proc, "all 2 worker(s) joined", seen)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        stderr = "".join(seen) + err
        assert proc.returncode == 0, stderr + out
        summary = json.loads(out)
        assert summary["worker_count"] == 2 and summary["total"]["requests"] > 0, summary
        assert summary["host"] == url
        target = summary["resources"]["target"]
        assert target["found"] is False and target["elsewhere"] == ns.inside, target
        names = {e["name"]: e["requests"] for e in summary["endpoints"]}
        assert names.get("first", 0) > 0 and "second" not in names, names
        assert worker.wait(timeout=30) == 0  # the master's quit ends the namespace worker too


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_console_on_a_namespace_target_waits_for_a_namespace_worker(tmp_path: Path) -> None:
    """The console accepts the non-loopback host, shows on its message line how to start a worker for the
    master bound to this side's address, runs once the namespace worker joined, and its resources panel
    says why the target has no process figures."""
    with network_namespace() as ns:
        url = ns.demo_target()
        port = free_port_on(ns.outside)
        settings = console_settings(url, workers=0, spike=SpikeDrill(), runs_dir=tmp_path)
        distributed = {"expect_workers": 1, "master_bind_host": ns.outside, "master_bind_port": port}
        app = make_app(
            settings,
            scenarios_dir=SCENARIOS_DIR,
            refresh_s=0.5,
            launch_options=argparse.Namespace(**distributed),
        )

        async def drive() -> Any:
            async with app.run_test(size=(140, 30)) as pilot:
                await pilot.press("enter")
                command = f"--master-host {ns.outside} --master-port {port}"
                await wait_for(pilot, lambda: command in message(app), "how to start a worker")
                assert "start one elsewhere with: perfconsole worker -f " in message(app)
                assert "0 of 1 worker(s) joined" in message(app)
                namespace_worker(ns, SCENARIOS_DIR / "notifications.py", port)
                await wait_for(pilot, lambda: dashboard(app).prepared, "the namespace worker joined", 90)
                session = app.session
                assert session is not None and session.host == url
                await wait_for(pilot, lambda: session.snapshot().total.num_requests > 0, "requests", 60)
                await pilot.press("m")
                await wait_for(pilot, lambda: session.resource_sample is not None, "a resource sample")
                await pilot.pause(0.8)
                shown = figures_text(app)
                assert f"no process figures:  {ns.inside} is not on this machine" in shown, shown
                assert "load generator's:" in shown, shown
                await pilot.press("q", "y")
                await wait_for(pilot, lambda: app.session is None, "the session closed", timeout_s=30)
                return session

        asyncio.run(drive())
