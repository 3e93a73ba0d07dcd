"""perfconsole's engine against plain Locust, measured in the same run (interleaved).

    .venv/bin/python benchmarks/throughput.py [--workers N] [--seconds S] [--rounds R] [--phases ...]

Three phases, all on 127.0.0.1 (the targets are started here and stopped at the end):
1. throughput: FastHttpUser users hammer a cheap endpoint of the demo target; ratio of req/s,
   perfconsole / Locust (goal >= 0.98);
2. rate: the same FastHttpUser users (20) against nginx (`nginx` on the PATH; apt-get install nginx-light),
   several thousand req/s, where the per-request cost shows; ratio of req/s (goal >= 0.98);
3. accuracy: users pace requests to a fixed-latency endpoint; p50/p95/p99 each tool reports
   (goal: within 5 % or 1 ms of Locust's own).
Each phase alternates `locust --headless --processes N` and `perfconsole run --headless --workers N`, in
pairs whose order flips each round; a ratio is the median of the pairs' ratios (each pair ran side by side
in time, so load from elsewhere on the machine hits both runs of a pair alike), next to the ratio of the
medians. On a shared machine the figures still vary from round to round: run more rounds there.
Bounded: about (3 phases x 2 tools x rounds) x (seconds + start-up); defaults take about 4 minutes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from steady_window import STATUS_PATH, Window, run_measured  # noqa: E402

from perfconsole.demo_target.process import start_demo_target  # noqa: E402


@dataclass
class Figures:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    window: Window
    """The run's steady middle measured from outside (the target's request counter, the process tree's
    CPU)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_locust(locustfile: Path, host: str, users: int, seconds: int, workers: int, tmp: Path) -> Figures:
    prefix = tmp / "locust"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "-H",
        host,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    if workers:
        port = str(free_port())  # not Locust's default 5557, which another run on the machine may hold
        command += ["--processes", str(workers), "--master-bind-port", port, "--master-port", port]
    proc, window = run_measured(command, seconds, host, seconds + 60)
    if not Path(f"{prefix}_stats.csv").is_file():
        raise SystemExit(f"locust run failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return Figures(
        float(row["Requests/s"]),
        float(row["50%"]),
        float(row["95%"]),
        float(row["99%"]),
        int(row["Request Count"]),
        window,
    )


def run_perfconsole(
    locustfile: Path, host: str, users: int, seconds: int, workers: int, tmp: Path
) -> Figures:
    (tmp / "config.toml").write_text("[thresholds]\nmin_rps = 1\n")
    command = [
        sys.executable,
        "-m",
        "perfconsole",
        "run",
        "--headless",
        "-f",
        str(locustfile),
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--workers",
        str(workers),
        "--summary-json",
        "--runs-dir",
        str(tmp / "runs"),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc, window = run_measured(command, seconds, host, seconds + 90, cwd=tmp, env=env)
    if not proc.stdout.strip():
        raise SystemExit(f"perfconsole run failed: {proc.stderr.strip()[-500:]}")
    total = json.loads(proc.stdout)["total"]
    return Figures(total["rps"], total["p50_ms"], total["p95_ms"], total["p99_ms"], total["requests"], window)


def phase(
    name: str, locustfile: Path, host: str, users: int, args: argparse.Namespace
) -> dict[str, list[Figures]]:
    results: dict[str, list[Figures]] = {"locust": [], "perfconsole": []}
    for round_index in range(args.rounds):
        order = ("locust", "perfconsole") if round_index % 2 == 0 else ("perfconsole", "locust")
        for tool in order:
            with tempfile.TemporaryDirectory() as tmp:
                runner = run_locust if tool == "locust" else run_perfconsole
                figures = runner(locustfile, host, users, args.seconds, args.workers, Path(tmp))
            results[tool].append(figures)
            print(
                f"  {name} round {round_index + 1} {tool:<11} {figures.rps:8.1f} req/s"
                f"  p50 {figures.p50:5.0f}"
                f"  p95 {figures.p95:5.0f}  p99 {figures.p99:5.0f} ms  ({figures.requests} requests)"
                + (
                    f"; steady {figures.window.rps:7.1f} req/s, {figures.window.cpu_us_per_request:5.1f} µs "
                    f"CPU/request"
                    if figures.window.requests
                    else ""
                )
                + f" (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    return results


def median(values: list[float]) -> float:
    return statistics.median(values)


NGINX_CONF = """daemon off;
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location = {status} {{ stub_status; }}
        location / {{ return 200 "ok"; }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@contextmanager
def nginx_target() -> Iterator[str]:
    """nginx on a free loopback port answering every path with a 2-byte body; stopped on exit."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        conf = Path(home) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(home=home, port=port, status=STATUS_PATH))
        proc = subprocess.Popen(
            [binary, "-p", home, "-c", str(conf)], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        error = proc.stderr.read().decode() if proc.stderr else ""
                        raise RuntimeError(f"nginx did not start: {error[-300:]}") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError("nginx did not answer within 10 s") from None
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def rps_ratio(results: dict[str, list[Figures]]) -> tuple[float, float]:
    """(median of the pairs' req/s ratios, ratio of the medians), perfconsole / Locust."""
    pairs = [
        ours.rps / theirs.rps
        for ours, theirs in zip(results["perfconsole"], results["locust"], strict=True)
        if theirs.rps
    ]
    theirs = median([f.rps for f in results["locust"]])
    return median(pairs), (median([f.rps for f in results["perfconsole"]]) / theirs if theirs else 0.0)


def window_ratios(results: dict[str, list[Figures]]) -> tuple[float, float] | None:
    """(median of the pairs' steady req/s ratios, of their CPU-per-request ratios), perfconsole / Locust;
    None when the target has no request counter (nginx's stub_status, the demo target's /metrics)."""
    pairs = [
        (ours.window, theirs.window)
        for ours, theirs in zip(results["perfconsole"], results["locust"], strict=True)
        if ours.window.requests and theirs.window.requests
    ]
    if not pairs:
        return None
    return (
        median([o.rps / t.rps for o, t in pairs]),
        median([o.cpu_us_per_request / t.cpu_us_per_request for o, t in pairs]),
    )


PHASES = ("throughput", "rate", "accuracy")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved pairs per phase")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    print(
        f"workers/processes: {args.workers}, {args.seconds}s per run, {args.rounds} rounds, "
        f"{args.users} users; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
        "(a busy machine moves every figure)"
    )
    ok = True
    verdicts: list[str] = []
    if "throughput" in args.phases:
        print("phase 1: throughput (FastHttpUser, GET /api/v1/health/ping on the demo target, no wait)")
        with start_demo_target(latency_ms=0, jitter_ms=0) as demo:
            throughput = phase("throughput", here / "locustfile_ping.py", demo.url, args.users, args)
        pairs, medians = rps_ratio(throughput)
        ok &= pairs >= 0.98
        verdicts.append(
            f"throughput: req/s perfconsole/locust {pairs:.3f} (median of pairs; ratio of medians "
            f"{medians:.3f}; goal >= 0.98)"
        )
        steady = window_ratios(throughput)
        if steady is not None:
            verdicts.append(
                f"throughput, steady middle of each run (the demo target's counter): req/s "
                f"perfconsole/locust {steady[0]:.3f}, CPU per request perfconsole/locust {steady[1]:.3f} "
                "(medians of pairs)"
            )
    if "rate" in args.phases:
        print("phase 2: rate (FastHttpUser, GET /api/v1/health/ping on nginx, no wait)")
        if not nginx_binary():
            print("  skipped: nginx is not installed (apt-get install nginx-light)")
        else:
            with nginx_target() as url:
                rate = phase("rate", here / "locustfile_ping.py", url, args.users, args)
            pairs, medians = rps_ratio(rate)
            ok &= pairs >= 0.98
            locust_rps = median([f.rps for f in rate["locust"]])
            verdicts.append(
                f"rate: req/s perfconsole/locust {pairs:.3f} (median of pairs; ratio of medians "
                f"{medians:.3f}; Locust's median {locust_rps:.0f} req/s; goal >= 0.98)"
            )
            steady = window_ratios(rate)
            if steady is not None:
                verdicts.append(
                    f"rate, steady middle of each run (nginx's counter): req/s perfconsole/locust "
                    f"{steady[0]:.3f}, CPU per request perfconsole/locust {steady[1]:.3f} (medians of pairs)"
                )
    if "accuracy" in args.phases:
        print("phase 3: accuracy (GET /api/dashboard, fixed 10 ms latency, paced users)")
        with start_demo_target(latency_ms=10, jitter_ms=0) as demo:
            accuracy = phase("accuracy", here / "locustfile_fixed.py", demo.url, args.users, args)
        for label in ("p50", "p95", "p99"):
            theirs = median([getattr(f, label) for f in accuracy["locust"]])
            ours = median([getattr(f, label) for f in accuracy["perfconsole"]])
            diff = ours - theirs
            within = abs(diff) <= max(1.0, 0.05 * theirs)
            ok &= within
            verdicts.append(
                f"{label}: perfconsole {ours:.0f} ms, locust {theirs:.0f} ms, diff {diff:+.0f} ms "
                f"({'within' if within else 'OUTSIDE'} 5 % or 1 ms)"
            )
    print()
    for line in verdicts:
        print(line)
    print("verdict:", "goals met" if ok else "goals NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
