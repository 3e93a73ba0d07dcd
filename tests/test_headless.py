"""Headless runs end to end: real Locust users against the real demo target, through the real CLI."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from cli_helpers import free_port, popen_perfconsole, run_perfconsole

from perfconsole.demo_target.process import DemoTargetProcess, start_demo_target

ROOT = Path(__file__).resolve().parent.parent
LENIENT = """
[thresholds]
p50_ms = 5000
p95_ms = 5000
p99_ms = 5000
error_rate_pct = 50
min_rps = 1
[thresholds.endpoints."/api/v1/health*"]
p95_ms = 5000
"""
STRICT = LENIENT.replace("min_rps = 1", "min_rps = 100000")


@pytest.fixture(scope="module")
def target() -> Iterator[DemoTargetProcess]:
    with start_demo_target(latency_ms=2) as demo:
        yield demo


def served_requests(url: str) -> int:
    """Requests the demo target has answered so far (from its Prometheus counters, /metrics excluded)."""
    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("demo_requests_total{") and 'path="/metrics"' not in line:
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(LENIENT)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("workers", [0, 2])
def test_headless_run_counts_percentiles_and_files(
    workers: int, workdir: Path, target: DemoTargetProcess
) -> None:
    before = served_requests(target.url)
    proc = run_perfconsole(
        [
            *"run --headless --scenario health -u 4 -r 4 -t 5s --workers".split(),
            str(workers),
            "--host",
            target.url,
            "--summary-json",
        ],
        workdir,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)  # stdout is the JSON document and nothing else
    served = served_requests(target.url) - before
    total = summary["total"]
    recorded = total["requests"]
    assert recorded > 20
    # Every request Locust recorded reached the server; at most the users' last in-flight ones are missing.
    assert served - 4 <= recorded <= served
    values = [total["p50_ms"], total["p95_ms"], total["p99_ms"], total["max_ms"]]
    assert all(v is not None and v > 0 for v in values)
    assert values[:3] == sorted(values[:3])
    assert values[2] <= values[3] * 1.05 + 1  # percentiles are bucketed to ~2 significant figures
    names = {e["name"] for e in summary["endpoints"]}
    assert names <= {"/", "/api/v1/health/", "/api/v1/health/ping", "/api/v1/health/database"}
    assert len(names) >= 2
    run_dir = Path(summary["run_dir"])
    assert run_dir.parent == workdir / "runs"
    for name in (
        "locust_stats.csv",
        "locust_stats_history.csv",
        "locust_failures.csv",
        "locust_exceptions.csv",
        "report.html",
        "run.toml",
        "data.json",
    ):
        assert (run_dir / name).stat().st_size > 0, name
    with open(run_dir / "locust_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    aggregated = next(r for r in rows if r["Name"] == "Aggregated")
    assert int(aggregated["Request Count"]) == recorded
    assert {"Name", "Type", "Average Response Time", "95%", "99%", "Requests/s"} <= set(rows[0])
    with open(run_dir / "locust_stats_history.csv", newline="") as handle:
        history = list(csv.DictReader(handle))
    assert len(history) >= 3 and history[-1]["User Count"] in {"0", "4"}
    assert summary["interrupted"] is False and summary["worker_count"] == workers
    assert tomllib.loads((run_dir / "run.toml").read_text())["schema_version"] == 1


@pytest.mark.slow
def test_threshold_failure_exits_10_and_still_writes(workdir: Path, target: DemoTargetProcess) -> None:
    (workdir / "config.toml").write_text(STRICT)
    proc = run_perfconsole(
        [*"run --headless --scenario health -u 2 -r 2 -t 3s --workers 0 --host".split(), target.url],
        workdir,
    )
    assert proc.returncode == 10, proc.stderr
    assert "FAIL Aggregated rps" in proc.stdout
    assert "Results:" in proc.stdout and len(list((workdir / "runs").iterdir())) == 1


@pytest.mark.slow
def test_demo_target_started_and_stopped_when_no_host(workdir: Path) -> None:
    proc = run_perfconsole(
        "run --headless --scenario health -u 2 -r 2 -t 3s --workers 0 --summary-json".split(),
        workdir,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["total"]["requests"] > 0
    assert summary["host"].startswith("http://127.0.0.1:")
    assert "embedded demo target" in proc.stderr
    # the embedded target is watched out of the box: its process by pid and its /metrics scraped
    peaks = summary["resources"]["peaks"]
    assert peaks["generator_rss_bytes"] > 0 and peaks["generator_cpu_pct"] is not None
    assert peaks["target_rss_bytes"] > 0 and peaks["target_cpu_pct"] is not None
    assert peaks["metrics"]["db_pool_size"] == 20
    assert "queue_depth" in peaks["metrics"] and "db_pool_in_use" in peaks["metrics"]
    assert summary["resources"]["target"]["found"] is True


def _children_named(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def start_running(workdir: Path, args: str) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """Start `perfconsole run --headless ARGS --summary-json`; return once it runs, with its children."""
    proc = popen_perfconsole(["run", "--headless", *args.split(), "--summary-json"], workdir)
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        assert line, "headless run ended before running"
        if "running |" in line:
            break
    return proc, _children_named(proc.pid)


@pytest.mark.slow
def test_sigterm_leaves_no_process_and_writes_results(workdir: Path) -> None:
    proc, children = start_running(workdir, "--scenario health -u 3 -r 3 -t 60s --workers 2")
    assert len(children) >= 3  # two workers and the demo target
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    summary = json.loads(out)
    assert summary["interrupted"] is True
    run_dir = Path(summary["run_dir"])
    meta = (run_dir / "run.toml").read_text()
    assert "interrupted = true" in meta
    assert (run_dir / "locust_stats.csv").exists()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [p.pid for p in alive]


BAD_INPUTS = [
    (["--scenario", "nope"], "unknown scenario 'nope'"),
    (["--load-profile", "nope"], "unknown profile 'nope'"),
    (["-u", "0"], "-u/--users"),
    (["-u", "-3"], "-u/--users"),
    (["-u", "lots"], "-u/--users"),
    (["-u", "10000000"], "-u/--users"),
    (["-u", "5", "-r", "0"], "-r/--spawn-rate"),
    (["-u", "5", "-r", "abc"], "-r/--spawn-rate"),
    (["-t", "0s"], "-t/--run-time"),
    (["-t", "-5"], "-t/--run-time"),
    (["-t", "soon"], "-t/--run-time"),
    (["-t", "400d"], "-t/--run-time"),
    (["--workers", "-1"], "--workers"),
    (["--host", "ftp://127.0.0.1"], "--host: expected an http(s) URL"),
    (["--host", "http://127.0.0.1:1", "-t", "2s"], "cannot connect"),
    (["--bogus"], "unrecognized arguments"),
    (["--save", "../escape"], "--save name"),
    (["--runs-dir", "config.toml/runs"], "cannot write runs to"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, workdir: Path) -> None:
    proc = run_perfconsole(["run", "--headless", "--workers", "0", *args], workdir, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("perfconsole: error:")]
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert not (workdir / "runs").exists()


BROKEN_FILES = {
    "syntax.py": ("from locust import HttpUser\nclass U(HttpUser)\n    pass\n", "line 2: syntax error"),
    "empty.py": ('"""No users here."""\nX = 1\n', "no User class"),
    "raises.py": (
        "from locust import HttpUser\nclass U(HttpUser):\n    pass\nraise RuntimeError('boom')\n",
        "raises.py: line 4: RuntimeError: boom",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_broken_locustfile_is_one_line(name: str, workdir: Path, target: DemoTargetProcess) -> None:
    source, message = BROKEN_FILES[name]
    path = workdir / name
    path.write_text(source)
    proc = run_perfconsole(
        ["run", "--headless", "-f", str(path), "--workers", "0", "--host", target.url, "-t", "2s"],
        workdir,
        timeout=60,
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_unreadable_config_is_one_line(workdir: Path) -> None:
    (workdir / "config.toml").write_text("[thresholds\np50_ms = 1\n")
    proc = run_perfconsole(["run", "--headless", "--workers", "0", "-t", "2s"], workdir, timeout=60)
    assert proc.returncode == 2
    assert "config.toml" in proc.stderr and "line 1" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_tags_reach_the_workers(workdir: Path, target: DemoTargetProcess) -> None:
    """Locust does not forward tags from master to workers: the engine must pass them itself."""
    proc = run_perfconsole(
        [
            *"run --headless --scenario notifications -u 4 -r 4 -t 4s --workers 1 --host".split(),
            target.url,
            "-T",
            "read",
            "--summary-json",
        ],
        workdir,
    )
    assert proc.returncode == 0, proc.stderr
    methods = {e["method"] for e in json.loads(proc.stdout)["endpoints"]}
    assert methods == {"GET"}  # only the read-tagged tasks ran on the worker


@pytest.mark.slow
def test_sigkill_of_the_console_leaves_no_worker_or_demo_target(workdir: Path) -> None:
    """Even when perfconsole itself cannot clean up (SIGKILL), its children notice and exit."""
    proc, children = start_running(workdir, "--scenario health -u 2 -r 2 -t 60s --workers 1")
    assert len(children) >= 2  # the worker and the demo target
    proc.kill()
    proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=15)
    for leftover in alive:
        leftover.kill()
    assert not alive, [p.pid for p in alive]


@pytest.mark.slow
def test_external_worker_joins_the_master(workdir: Path, target: DemoTargetProcess) -> None:
    """Locust's own distributed engine: a worker started elsewhere (here: another process on loopback)
    connects to the master perfconsole hosts; the run waits for it, uses it and releases it."""
    port = free_port()
    scenario = ROOT / "scenarios" / "health.py"
    args = f"-f {scenario} -u 3 -r 3 -t 4s --workers 0 --expect-workers 1 --master-bind-port {port}"
    proc = popen_perfconsole(
        ["run", "--headless", *args.split(), "--host", target.url, "--summary-json"], workdir
    )
    assert proc.stderr is not None
    waiting = ""
    for _ in range(6):  # "preparing", maybe the sweep of an earlier killed run's leftovers, the wait
        waiting += proc.stderr.readline()
        if f"--master-port {port}" in waiting:
            break
    assert f"--master-port {port}" in waiting, waiting
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(scenario),
            "--worker",
            "--master-host",
            "127.0.0.1",
            "--master-port",
            str(port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        summary = json.loads(out)
        assert summary["worker_count"] == 1 and summary["total"]["requests"] > 0
        assert worker.wait(timeout=15) == 0  # the master's quit ends the worker too
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.slow
def test_missing_external_worker_is_one_line(workdir: Path, target: DemoTargetProcess) -> None:
    proc = run_perfconsole(
        [
            *"run --headless --scenario health --workers 0 --expect-workers 1".split(),
            *"--expect-workers-max-wait 1 --master-bind-port".split(),
            str(free_port()),
            "--host",
            target.url,
        ],
        workdir,
    )
    assert proc.returncode == 2
    assert "only 0 of 1 worker(s) connected within 1s" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_resource_threshold_failure_exits_10(workdir: Path) -> None:
    """Resource limits count like latency limits: this box uses more than 0.1 % of its memory."""
    (workdir / "config.toml").write_text(LENIENT + "[resources.thresholds]\nmemory_pct = 0.1\n")
    proc = run_perfconsole("run --headless --scenario health -u 2 -r 2 -t 3s --workers 0".split(), workdir)
    assert proc.returncode == 10, proc.stderr
    assert "FAIL resources memory_pct" in proc.stdout
    assert "Resources (peaks)" in proc.stdout
