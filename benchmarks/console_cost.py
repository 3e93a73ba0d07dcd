"""What the console itself costs at many endpoints: CPU share of its process (the Locust master runs in it,
the users in one worker process), its RSS, and the bytes it writes to the terminal.

    .venv/bin/python benchmarks/console_cost.py [--endpoints 500] [--users 30] [--seconds 30] [--size 120x40]
        [--rss-every 60]

Runs the real `perfconsole` in a pseudo-terminal of the given size on the embedded demo target with a
generated locustfile: each user requests ``/api/v1/health/ping`` under one of ``--endpoints`` names in turn
(about 10 requests a second per user). It presses Enter once the start screen shows, waits until the run
is running and the table shows the generated endpoints (at most 60 s each: the start is not timed, so a busy
machine only makes it later), and after ``--settle`` seconds more it measures the console process's CPU
time (``psutil``; its children, the worker and the demo target, are not counted), its RSS at the start
and the end of the window, and the terminal bytes; ``--headless`` measures ``perfconsole run --headless``
with the same load instead, the master's cost without a screen. ``--rss-every N`` prints the RSS every N
seconds of the window and its growth per minute (least squares), for long runs (e.g. ``--seconds 1800``).
Bounded: start (at most 3 x 60 s) + settle + seconds + ~20 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent

LOCUSTFILE = '''"""{endpoints} endpoint names over one cheap path of the demo target."""
import itertools

from locust import HttpUser, constant, task

NAMES = itertools.cycle([f"/api/v1/items/{{number:04d}}/" for number in range({endpoints})])


class ManyNamesUser(HttpUser):
    wait_time = constant(0.1)

    @task
    def one_name(self):
        self.client.get("/api/v1/health/ping", name=next(NAMES))
'''
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
START_TIMEOUT_S = 60.0


def drain(fd: int, until: float) -> int:
    total = 0
    while (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return total
            if not chunk:
                return total
            total += len(chunk)
    return total


def wait_for(fd: int, text: bytes, timeout_s: float) -> float | None:
    """Seconds until ``text`` (escape sequences left out) was read from the terminal; None: not in time."""
    seen = b""
    start = time.monotonic()
    while (left := start + timeout_s - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return None
        seen = ESCAPES.sub(b"", seen[-4096:] + chunk)
        if text in seen:
            return time.monotonic() - start
    return None


def await_run(fd: int, *, console: bool) -> None:
    """Wait for the run to be under way, not for a fixed time: on the console, the start screen's key bar,
    then Enter, the run's state and the generated endpoints in the table; headless, a progress line saying
    the run is running."""

    def expect(text: bytes, what: str) -> None:
        if wait_for(fd, text, START_TIMEOUT_S) is None:
            raise SystemExit(f"{what} did not show within {START_TIMEOUT_S:.0f} s")

    if not console:
        expect(b"] running |", "the run's progress line")
        return
    expect(b"start", "the start screen")
    drain(fd, time.monotonic() + 0.5)
    os.write(fd, b"\r")
    expect(b"RUNNING", "the run's state")
    expect(b"/api/v1/items/", "the endpoints in the table")


def slope_per_minute(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of (seconds, bytes) samples, in bytes per minute."""
    mean_t = sum(t for t, _ in samples) / len(samples)
    mean_v = sum(v for _, v in samples) / len(samples)
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread if spread else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=500)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=15.0)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--headless", action="store_true", help="the headless master instead of the console")
    parser.add_argument("--rss-every", type=float, default=0.0, help="print the RSS every N seconds")
    args = parser.parse_args()
    columns, rows = (int(v) for v in args.size.split("x"))
    workdir = Path(tempfile.mkdtemp(prefix="console-cost-"))
    locustfile = workdir / "many_names.py"
    locustfile.write_text(LOCUSTFILE.format(endpoints=args.endpoints))
    common = ["--workers", "1", "-f", str(locustfile), "-u", str(args.users), "-r", str(args.users)]
    common += ["--runs-dir", str(workdir / "runs")]
    if args.headless:
        duration = int(args.settle + args.seconds + 2)
        command = [sys.executable, "-m", "perfconsole", "run", "--headless", *common, "-t", f"{duration}s"]
    else:
        command = [sys.executable, "-m", "perfconsole", *common]
    pid, fd = pty.fork()
    if pid == 0:  # child: the console (or the headless run) on the pty
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = psutil.Process(pid)
    try:
        await_run(fd, console=not args.headless)
        drain(fd, time.monotonic() + args.settle)
        cpu_before, rss_before = sum(process.cpu_times()[:2]), process.memory_info().rss
        start = time.monotonic()
        written, samples = 0, [(0.0, rss_before)]
        step = args.rss_every or args.seconds
        while (now := time.monotonic()) < start + args.seconds:
            written += drain(fd, min(start + args.seconds, now + step))
            samples.append((time.monotonic() - start, process.memory_info().rss))
            if args.rss_every:
                print(f"  {samples[-1][0]:6.0f}s RSS {samples[-1][1] / 2**20:.1f} MiB", flush=True)
        elapsed = time.monotonic() - start
        cpu = sum(process.cpu_times()[:2]) - cpu_before
        rss_after = process.memory_info().rss
        if not args.headless:
            os.write(fd, b"q")
            drain(fd, time.monotonic() + 1.5)
            os.write(fd, b"y")
        drain(fd, time.monotonic() + 15)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    mode = "headless master" if args.headless else f"console {columns}x{rows}"
    print(
        f"{mode}, {args.endpoints} endpoints, {args.users} users: CPU {cpu / elapsed:.1%} of a core, "
        f"RSS {rss_before / 2**20:.0f} -> {rss_after / 2**20:.0f} MiB over {elapsed:.0f}s, "
        f"terminal {written / elapsed / 1024:.1f} KiB/s"
    )
    if args.rss_every and len(samples) > 2:
        print(f"RSS growth {slope_per_minute(samples) / 2**20:+.2f} MiB/min (least squares over the window)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
