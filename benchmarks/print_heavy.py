"""A print-heavy locustfile: plain Locust against perfconsole, wall time, interleaved pairs.

    .venv/bin/python benchmarks/print_heavy.py [--rounds N] [--seconds S] [--lines L]

Each user prints L lines per task (default 50, about 10,000 lines a second from 4 users) and makes one
request to the demo target on 127.0.0.1 (started here, stopped at the end). Each round runs
`locust --headless --processes 2` and `perfconsole run --headless --workers 2` with that locustfile and
with the same locustfile printing nothing (the order rotates), stdout and stderr read through pipes as a
CI job would. Prints the wall times, the lines each printed on stdout, the ratio perfconsole / Locust of the
median print-heavy times (goal: at most 1.10) and what printing added to each tool's median time (the
relay's own cost, apart from start-up and saving, which the quiet runs carry too).
Bounded: rounds x 4 runs x (seconds + start-up); defaults take about two minutes.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfconsole.demo_target.process import start_demo_target  # noqa: E402

LOCUSTFILE = """
from locust import HttpUser, constant, task


class Printer(HttpUser):
    wait_time = constant(0.01)

    @task
    def talk(self):
        for i in range({lines}):
            print(f"user {{id(self)}} line {{i}} " + "x" * 60)
        self.client.get("/api/v1/health/")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(tool: str, locustfile: Path, host: str, seconds: int, work: Path) -> tuple[float, int]:
    common = ["-f", str(locustfile), "-H", host, "-u", "4", "-r", "4", "-t", f"{seconds}s", "--only-summary"]
    if tool == "locust":
        port = str(free_port())  # never Locust's default 5557: another master on this machine may hold it
        command = [sys.executable, "-m", "locust", "--headless", "--processes", "2", *common]
        command += ["--master-bind-port", port, "--master-port", port]
    else:
        command = [sys.executable, "-m", "perfconsole", "run", "--headless", "--workers", "2", *common]
        command += ["--runs-dir", str(work / "runs")]
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=work, capture_output=True, text=True, timeout=seconds + 120, stdin=subprocess.DEVNULL
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{tool} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed, done.stdout.count(" line ")


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=50)
    options = parser.parse_args()
    runs = [(tool, lines) for tool in ("locust", "perfconsole") for lines in (options.lines, 0)]
    times: dict[tuple[str, int], list[float]] = {run_: [] for run_ in runs}
    with tempfile.TemporaryDirectory() as tmp, start_demo_target(latency_ms=1) as target:
        work = Path(tmp)
        files = {}
        for lines in (options.lines, 0):
            files[lines] = work / f"print_{lines}.py"
            files[lines].write_text(LOCUSTFILE.format(lines=lines))
        print(f"demo target {target.url}; {options.rounds} rounds of {options.seconds}s runs")
        for round_ in range(options.rounds):
            for tool, lines in runs[round_ % 4 :] + runs[: round_ % 4]:
                elapsed, printed = run(tool, files[lines], target.url, options.seconds, work)
                times[(tool, lines)].append(elapsed)
                print(
                    f"round {round_ + 1}: {tool:<11} {lines:>3} lines/task {elapsed:6.2f} s, "
                    f"{printed} printed"
                )
    median = {run_: statistics.median(values) for run_, values in times.items()}
    plain, ours = median[("locust", options.lines)], median[("perfconsole", options.lines)]
    print(
        f"print-heavy median: locust {plain:.2f} s, perfconsole {ours:.2f} s, "
        f"ratio {ours / plain:.3f} (goal <= 1.10)"
    )
    for tool in ("locust", "perfconsole"):
        quiet = median[(tool, 0)]
        print(f"{tool}: quiet {quiet:.2f} s; printing added {median[(tool, options.lines)] - quiet:+.2f} s")


if __name__ == "__main__":
    main()
