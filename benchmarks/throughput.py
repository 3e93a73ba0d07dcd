"""perfconsole's engine against plain Locust, measured in the same run (interleaved).

    .venv/bin/python benchmarks/throughput.py [--workers N] [--seconds S] [--rounds R]

Two phases against the demo target on 127.0.0.1 (started here, stopped at the end):
1. throughput: users hammer a cheap endpoint; ratio of req/s, perfconsole / Locust (goal >= 0.95);
2. accuracy: users pace requests to a fixed-latency endpoint; p50/p95/p99 each tool reports
   (goal: within 5 % or 1 ms of Locust's own).
Each phase alternates `locust --headless --processes N` and `perfconsole run --headless --workers N`.
Bounded: about (2 phases x 2 tools x rounds) x (seconds + start-up); defaults take under 3 minutes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfconsole.demo_target.process import start_demo_target  # noqa: E402


@dataclass
class Figures:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int


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
        command += ["--processes", str(workers)]
    subprocess.run(command, check=False, capture_output=True, timeout=seconds + 60, stdin=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return Figures(
        float(row["Requests/s"]),
        float(row["50%"]),
        float(row["95%"]),
        float(row["99%"]),
        int(row["Request Count"]),
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
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + 90,
        cwd=tmp,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if not proc.stdout.strip():
        raise SystemExit(f"perfconsole run failed: {proc.stderr.strip()[-500:]}")
    total = json.loads(proc.stdout)["total"]
    return Figures(total["rps"], total["p50_ms"], total["p95_ms"], total["p99_ms"], total["requests"])


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
                f"  p95 {figures.p95:5.0f}  p99 {figures.p99:5.0f} ms  ({figures.requests} requests)",
                flush=True,
            )
    return results


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    print(
        f"workers/processes: {args.workers}, {args.seconds}s per run, {args.rounds} rounds, "
        f"{args.users} users"
    )

    print("phase 1: throughput (GET /api/v1/health/ping, no wait)")
    with start_demo_target(latency_ms=0, jitter_ms=0) as demo:
        throughput = phase("throughput", here / "locustfile_ping.py", demo.url, args.users, args)
    print("phase 2: accuracy (GET /api/dashboard, fixed 10 ms latency, paced users)")
    with start_demo_target(latency_ms=10, jitter_ms=0) as demo:
        accuracy = phase("accuracy", here / "locustfile_fixed.py", demo.url, args.users, args)

    locust_rps = median([f.rps for f in throughput["locust"]])
    ours_rps = median([f.rps for f in throughput["perfconsole"]])
    ratio = ours_rps / locust_rps if locust_rps else 0.0
    print()
    print(f"req/s ratio perfconsole/locust: {ratio:.3f}  ({ours_rps:.1f} vs {locust_rps:.1f}; goal >= 0.95)")
    ok = ratio >= 0.95
    for label in ("p50", "p95", "p99"):
        theirs = median([getattr(f, label) for f in accuracy["locust"]])
        ours = median([getattr(f, label) for f in accuracy["perfconsole"]])
        diff = ours - theirs
        within = abs(diff) <= max(1.0, 0.05 * theirs)
        ok &= within
        print(
            f"{label}: perfconsole {ours:.0f} ms, locust {theirs:.0f} ms, diff {diff:+.0f} ms "
            f"({'within' if within else 'OUTSIDE'} 5 % or 1 ms)"
        )
    print("verdict:", "goals met" if ok else "goals NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
