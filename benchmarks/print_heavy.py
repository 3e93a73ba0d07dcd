"""A print-heavy locustfile: plain Locust against perfconsole, wall time, interleaved pairs.

    .venv/bin/python benchmarks/print_heavy.py [--pairs N] [--seconds S] [--lines L]

Each user prints L lines per task (default 50, about 10,000 lines a second from 4 users) and makes one
request to the demo target on 127.0.0.1 (started here, stopped at the end). Each pair runs
`locust --headless --processes 2` and `perfconsole run --headless --workers 2` one after the other (the
order alternates), stdout and stderr read through pipes as a CI job would. Prints the wall times, the lines
each printed on stdout, and the ratio perfconsole / Locust of the median times (goal: at most 1.10).
Bounded: pairs x 2 runs x (seconds + start-up); defaults take about a minute.
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
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=50)
    options = parser.parse_args()
    times: dict[str, list[float]] = {"locust": [], "perfconsole": []}
    with tempfile.TemporaryDirectory() as tmp, start_demo_target(latency_ms=1) as target:
        work = Path(tmp)
        locustfile = work / "printy.py"
        locustfile.write_text(LOCUSTFILE.format(lines=options.lines))
        print(f"demo target {target.url}; {options.pairs} pairs of {options.seconds}s runs")
        for pair in range(options.pairs):
            order = ("locust", "perfconsole") if pair % 2 == 0 else ("perfconsole", "locust")
            for tool in order:
                elapsed, lines = run(tool, locustfile, target.url, options.seconds, work)
                times[tool].append(elapsed)
                print(f"pair {pair + 1}: {tool:<11} {elapsed:6.2f} s, {lines} lines printed on stdout")
    plain, ours = (statistics.median(times[t]) for t in ("locust", "perfconsole"))
    print(f"median: locust {plain:.2f} s, perfconsole {ours:.2f} s, ratio {ours / plain:.3f} (goal <= 1.10)")


if __name__ == "__main__":
    main()
