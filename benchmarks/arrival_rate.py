"""Arrival-rate mode against plain Locust's closed loop, in pairs in one run, on a fast loopback target.

    .venv/bin/python benchmarks/arrival_rate.py [--workers N] [--seconds S] [--users U] [--rounds R]
        [--from F] [--error-seconds E]

1. Locust's closed-loop maximum: `locust --headless --processes N` with U users and no wait time
   (FastHttpUser, one GET an iteration) against nginx on 127.0.0.1 (the demo target without nginx), its
   requests/s over the run's steady middle (nginx's own counter, as benchmarks/throughput.py measures it;
   Locust's whole-run figure, start and end included, is printed beside it).
2. The highest arrival rate perfconsole sustains with < 1 % dropped iterations on the same workers, as a
   fraction of Locust's maximum: each step of the ladder (LADDER) is R pairs, each a Locust run and right
   after it a perfconsole run at that fraction of the maximum this Locust run measured, so that both sides
   of a pair see the same load from elsewhere on the machine. A pair passes with < 1 % of the run's
   iterations dropped and the steady seconds' achieved rate within 2 % of the target; a step passes when
   most of its pairs do; the search stops at the first step that does not (--from F starts the ladder at
   F). Prints the highest passing fraction: the ratio (goal >= 0.9). The steady seconds are those of a
   15 s run (--seconds) less its first and last: a start lag that settles at 150 ms by the run's end
   (none dropped) moves 150 ms of iterations out of them, 2 % of 7 seconds but 1.2 % of 12.
3. The rate error at 50 % and 90 % of that sustained rate: |achieved - target| / target, iterations
   counted over the whole seconds the schedule covers (its first and last whole second left out; goal < 1 %),
   in runs of E seconds (--error-seconds, default 30): iterations are counted in the second they start, so
   a start lag that grows by L seconds over the run moves L x rate of them out of the count; over 7 whole
   seconds a 200 ms stall near the end is a 3 % error, over 27 seconds under 1 %.
Each line carries the machine's load average (a busy machine moves every figure, and the open model more
than the closed one: a closed loop slows down when the machine does, an arrival rate drops iterations).
Bounded: 2 x R runs of S seconds (plus start-up, about 5 s) a step, at most len(LADDER) steps, then two
runs of E seconds; the defaults take 10-15 minutes. On a shared machine give it more --rounds.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from steady_window import run_measured  # noqa: E402
from throughput import free_port, nginx_target  # noqa: E402

from perfconsole.demo_target.process import start_demo_target  # noqa: E402

PING = ROOT / "benchmarks" / "locustfile_ping.py"
LADDER = (0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
"""Fractions of Locust's maximum tried in turn: 5 % apart around the goal (from 0.3: on a busy shared
machine the open model may hold less than 0.5)."""
MAX_DROPPED_PCT = 1.0
MIN_ACHIEVED = 0.98


@dataclass
class Closed:
    steady_rps: float
    """Requests/s over the run's steady middle (nginx's counter); Locust's own figure without nginx."""
    locust_rps: float
    """Locust's own whole-run figure (its CSV: start and end included)."""


@contextmanager
def fast_target() -> Iterator[str]:
    try:
        with nginx_target() as url:
            yield url
    except FileNotFoundError:
        print("  (nginx not installed: the demo target instead)")
        with start_demo_target(latency_ms=0.0, jitter_ms=0.0, error_rate=0.0, seed=1) as target:
            yield target.url


def locust_max(host: str, users: int, seconds: int, workers: int, tmp: Path) -> Closed:
    prefix = tmp / "locust"
    port = str(free_port())  # not Locust's default 5557, which another run on the machine may hold
    command = [sys.executable, "-m", "locust", "-f", str(PING), "--headless", "-H", host, "-u", str(users)]
    command += ["-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary"]
    command += ["--loglevel", "ERROR", "--processes", str(workers)]
    command += ["--master-bind-port", port, "--master-port", port]
    proc, window = run_measured(command, seconds, host, seconds + 90)
    if not Path(f"{prefix}_stats.csv").is_file():
        raise RuntimeError(f"locust run failed ({proc.returncode}): {proc.stderr[-500:]}")
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    whole = float(row["Requests/s"])
    return Closed(window.rps if window.requests else whole, whole)


def arrival_run(host: str, rate: float, users: int, seconds: int, workers: int, tmp: Path) -> dict:
    command = [sys.executable, "-m", "perfconsole", "run", "--headless", "-f", str(PING), "-H", host]
    command += ["--arrival-rate", f"{rate:.0f}", "-u", str(users), "--max-users", str(users * 10)]
    command += ["-t", f"{seconds}s", "--workers", str(workers), "--summary-json"]
    command += ["--runs-dir", str(tmp / "runs"), "--settings", str(tmp / "config.toml")]
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
    arrival["rate"] = asked
    return arrival


def sustained(figures: dict) -> bool:
    """< 1 % of the run's iterations dropped, and the steady seconds achieved the rate within 2 %."""
    return bool(
        figures["dropped_pct"] < MAX_DROPPED_PCT and figures["steady_rate"] >= figures["rate"] * MIN_ACHIEVED
    )


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def search(host: str, args: argparse.Namespace, tmp: Path) -> tuple[float, float]:
    """(the highest fraction of Locust's maximum sustained, that rate in iterations/s); (0, 0) if none."""
    best = (0.0, 0.0)
    for fraction in (f for f in LADDER if f >= args.start - 1e-9):
        passed, maxima = 0, []
        for _ in range(args.rounds):
            closed = locust_max(host, args.users, args.seconds, args.workers, tmp)
            maxima.append(closed.steady_rps)
            figures = arrival_run(
                host, closed.steady_rps * fraction, args.users, args.seconds, args.workers, tmp
            )
            ok = sustained(figures)
            passed += ok
            print(
                f"   {fraction:4.0%} of Locust's {closed.steady_rps:7.0f} req/s (whole run "
                f"{closed.locust_rps:.0f}): {figures['rate']:7.0f}/s achieved "
                f"{figures['steady_rate']:7.1f}/s, "
                f"dropped {figures['dropped_pct']:.2f}%, start lag p95 {figures['start_lag_p95_ms']} ms, "
                f"pool {figures['peak_pool']} -> {'ok' if ok else 'no'} ({load()})",
                flush=True,
            )
        if passed * 2 <= args.rounds:
            break
        best = (fraction, fraction * statistics.median(maxima))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--from", dest="start", type=float, default=LADDER[0], help="the first fraction of the ladder tried"
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="pairs a step (a step passes on most of them)")
    parser.add_argument("--error-seconds", type=int, default=30, help="the rate error runs' duration")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, fast_target() as host:
        tmp = Path(name)
        (tmp / "config.toml").write_text("[thresholds]\nfail_on_errors = false\n", encoding="utf-8")
        print(
            f"target {host}; {args.workers} worker(s), {args.users} users, {args.seconds} s a run, "
            f"{args.rounds} pair(s) a step ({load()})"
        )
        ratio, best = search(host, args, tmp)
        print(
            f"2. highest sustained arrival rate: {ratio:.2f} x Locust's closed-loop maximum "
            f"({best:.0f}/s; goal >= 0.9) ({load()})"
        )
        if not best:
            return 1
        for share in (0.5, 0.9):
            figures = arrival_run(host, best * share, args.users, args.error_seconds, args.workers, tmp)
            print(
                f"3. at {share:.0%} ({best * share:.0f}/s): rate error {figures['steady_error_pct']:.2f}% "
                f"over {figures['steady_seconds']} s (goal < 1 %), dropped {figures['dropped_pct']:.2f}% "
                f"({load()})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
