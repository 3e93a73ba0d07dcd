"""Key -> screen latency of the console at many endpoints: how long after a key the terminal gets its answer.

    .venv/bin/python benchmarks/key_latency.py [--endpoints 500] [--users 30] [--presses 10] [--size 120x40]

Runs the real `perfconsole` in a pseudo-terminal on the embedded demo target with console_cost.py's
generated locustfile (``--endpoints`` names, about 10 requests a second per user, one worker). After
``--settle`` seconds it presses ``/`` (the filter field opens: its placeholder ``filter endpoints`` is the
answer looked for in the output) and then Escape (closes it), ``--presses`` times, half a second apart at
random phases of the 1 s poll, and prints the latency from the key's write to the answer's last byte:
median, p90, p95 and max. Bounded: start (at most 3 x 60 s) + settle + presses x at most 12 s + ~20 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

from console_cost import LOCUSTFILE, await_run, drain, wait_for

ROOT = Path(__file__).resolve().parent.parent
ANSWER = b"filter endpoints"
TIMEOUT_S = 10.0


def answer_latency(fd: int, key: bytes, answer: bytes) -> float | None:
    """Seconds from writing ``key`` until ``answer`` was read from the terminal (None: not within 10 s)."""
    os.write(fd, key)
    return wait_for(fd, answer, TIMEOUT_S)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=500)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--settle", type=float, default=15.0)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    columns, rows = (int(v) for v in args.size.split("x"))
    workdir = Path(tempfile.mkdtemp(prefix="key-latency-"))
    locustfile = workdir / "many_names.py"
    locustfile.write_text(LOCUSTFILE.format(endpoints=args.endpoints))
    command = [sys.executable, "-m", "perfconsole", "--workers", "1", "-f", str(locustfile)]
    command += ["-u", str(args.users), "-r", str(args.users), "--runs-dir", str(workdir / "runs")]
    pid, fd = pty.fork()
    if pid == 0:  # child: the console on the pty
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    latencies: list[float] = []
    missed = 0
    rng = random.Random(1)
    try:
        await_run(fd, console=True)
        drain(fd, time.monotonic() + args.settle)
        for _ in range(args.presses):
            drain(fd, time.monotonic() + 0.5 + rng.random())
            found = answer_latency(fd, b"/", ANSWER)
            if found is None:
                missed += 1
            else:
                latencies.append(found)
            drain(fd, time.monotonic() + 0.3)
            os.write(fd, b"\x1b")  # Escape: the filter closes
        drain(fd, time.monotonic() + 0.5)
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
    latencies.sort()
    if not latencies:
        print(f"console {columns}x{rows}, {args.endpoints} endpoints: no answer to any key")
        return 1
    median = latencies[len(latencies) // 2]
    p90, p95 = (latencies[min(len(latencies) - 1, int(len(latencies) * q))] for q in (0.9, 0.95))
    print(
        f"console {columns}x{rows}, {args.endpoints} endpoints, {args.users} users: key -> screen "
        f"median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms "
        f"over {len(latencies)} presses" + (f", {missed} unanswered" if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
