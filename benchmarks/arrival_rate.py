"""Arrival-rate mode against plain Locust's closed loop, measured in one run, on a fast loopback target.

    .venv/bin/python benchmarks/arrival_rate.py [--workers N] [--seconds S] [--users U]

1. Locust's closed-loop maximum: `locust --headless --processes N` with U users and no wait time
   (FastHttpUser, one GET an iteration) against nginx on 127.0.0.1 (the demo target without nginx).
2. The highest arrival rate perfconsole sustains with < 1 % dropped iterations, same workers: rates
   stepped up from half of that maximum by 10 % of it until drops reach 1 % (or achieved falls 2 % short).
   Prints its ratio to Locust's maximum (goal >= 0.9).
3. The rate error at 50 % and 90 % of that sustained maximum: |achieved - target| / target, iterations
   counted over the whole seconds the schedule covers (its first and last whole second left out; goal < 1 %).
Each figure is printed with the machine's load average (a busy machine moves every figure).
Bounded: about (2 + steps) runs of S seconds plus start-up; the defaults take about 2-3 minutes. Figures on
a shared machine vary from run to run: compare the ratio, not the absolute rates.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import nginx_target  # noqa: E402

from perfconsole.demo_target.process import start_demo_target  # noqa: E402

PING = ROOT / "benchmarks" / "locustfile_ping.py"


@contextmanager
def fast_target() -> Iterator[str]:
    try:
        with nginx_target() as url:
            yield url
    except FileNotFoundError:
        print("  (nginx not installed: the demo target instead)")
        with start_demo_target(latency_ms=0.0, jitter_ms=0.0, error_rate=0.0, seed=1) as target:
            yield target.url


def locust_max(host: str, users: int, seconds: int, workers: int, tmp: Path) -> float:
    prefix = tmp / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(PING), "--headless", "-H", host, "-u", str(users)]
    command += ["-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary"]
    command += ["--loglevel", "ERROR", "--processes", str(workers)]
    subprocess.run(command, check=False, capture_output=True, timeout=seconds + 90, stdin=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return float(row["Requests/s"])


def arrival_run(host: str, rate: float, users: int, seconds: int, workers: int, tmp: Path) -> dict:
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "-f", str(PING), "-H", host]
    command += ["--arrival-rate", f"{rate:.0f}", "-u", str(users), "--max-users", str(users * 10)]
    command += [
        "-t",
        f"{seconds}s",
        "--workers",
        str(workers),
        "--summary-json",
        "--runs-dir",
        str(tmp / "runs"),
    ]
    command += ["--settings", str(tmp / "config.toml")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, stdin=subprocess.DEVNULL, env=env
    )
    try:
        arrival: dict = json.loads(done.stdout)["arrival"]
    except (ValueError, KeyError, TypeError):
        raise RuntimeError(f"perfconsole run failed ({done.returncode}): {done.stderr[-500:]}") from None
    # the seconds the schedule covers whole (their target is the full rate; the schedule starts once the
    # initial pool is up and ends with the run), less the first and the last of them
    asked = float(f"{rate:.0f}")  # as given on the command line; rows' targets are rounded to 0.001
    full = [row for row in arrival["seconds"] if abs(row[1] - asked) <= 0.01]
    steady = full[1:-1]
    target = sum(row[1] for row in steady)
    started = sum(row[2] for row in steady)
    arrival["steady_error_pct"] = abs(started - target) / target * 100 if target else float("nan")
    arrival["steady_rate"] = started / len(steady) if steady else 0.0
    arrival["steady_seconds"] = len(steady)
    return arrival


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, fast_target() as host:
        tmp = Path(name)
        (tmp / "config.toml").write_text("[thresholds]\nfail_on_errors = false\n", encoding="utf-8")
        print(f"target {host}; {args.workers} worker(s), {args.users} users, {args.seconds} s a run")
        maximum = locust_max(host, args.users, args.seconds, args.workers, tmp)
        print(f"1. Locust closed loop (no wait): {maximum:.0f} req/s ({load()})")
        best = 0.0
        step = maximum * 0.1
        rate = maximum * 0.5
        while rate <= maximum * 1.3:
            figures = arrival_run(host, rate, args.users, args.seconds, args.workers, tmp)
            ok = figures["dropped_pct"] < 1.0 and figures["steady_rate"] >= rate * 0.98
            verdict = "ok" if ok else "no"
            achieved, dropped = figures["steady_rate"], figures["dropped_pct"]
            print(
                f"   {rate:7.0f}/s: achieved {achieved:7.1f}/s, dropped {dropped:.2f}%, start lag p95 "
                f"{figures['start_lag_p95_ms']} ms, pool {figures['peak_pool']} -> {verdict} ({load()})"
            )
            if not ok:
                break
            best = rate
            rate += step
        ratio = best / maximum
        print(
            f"2. highest sustained arrival rate: {best:.0f}/s = {ratio:.2f} x Locust's maximum (goal >= 0.9)"
        )
        if not best:
            return 1
        for share in (0.5, 0.9):
            figures = arrival_run(host, best * share, args.users, args.seconds, args.workers, tmp)
            print(
                f"3. at {share:.0%} ({best * share:.0f}/s): rate error {figures['steady_error_pct']:.2f}% "
                f"over {figures['steady_seconds']} s (goal < 1 %), dropped {figures['dropped_pct']:.2f}% "
                f"({load()})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
