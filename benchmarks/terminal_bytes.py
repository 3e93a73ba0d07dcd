"""Bytes the console writes to the terminal per second during a steady run (for slow SSH links).

    .venv/bin/python benchmarks/terminal_bytes.py [--seconds 30] [--size 80x24] [--refresh 1] [--keys a]

Runs the real `perfconsole` in a pseudo-terminal of the given size on the embedded demo target (one
worker, the `light` profile), starts the run with Enter, lets it settle, counts every byte written during
the measurement window, then quits (q, y) and checks the process exited. ``--keys`` are typed once the run
has started (e.g. ``a``: the notes view instead of the charts, to see what the charts cost).
Bounded: settle + seconds + ~15 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drain(fd: int, until: float) -> int:
    total = 0
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return total
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return total
            if not chunk:
                return total
            total += len(chunk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--refresh", default="1")
    parser.add_argument("--keys", default="", help="keys typed after the start, before settling")
    args = parser.parse_args()
    columns, rows = (int(v) for v in args.size.split("x"))
    command = [
        sys.executable,
        "-m",
        "perfconsole",
        "--workers",
        "1",
        "--scenario",
        "notifications",
        "--load-profile",
        "light",
        "--refresh",
        args.refresh,
    ]
    pid, fd = pty.fork()
    if pid == 0:  # child: the console on the pty
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    try:
        drain(fd, time.monotonic() + 6)  # start screen
        os.write(fd, b"\r")
        drain(fd, time.monotonic() + 4)
        if args.keys:
            os.write(fd, args.keys.encode())
        drain(fd, time.monotonic() + args.settle)
        start = time.monotonic()
        written = drain(fd, start + args.seconds)
        elapsed = time.monotonic() - start
        os.write(fd, b"q")
        drain(fd, time.monotonic() + 1.5)
        os.write(fd, b"y")
        drain(fd, time.monotonic() + 10)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    rate = written / elapsed
    print(
        f"terminal {columns}x{rows}, refresh {args.refresh}s{f', keys {args.keys!r}' if args.keys else ''}: "
        f"{written} bytes in {elapsed:.0f}s = "
        f"{rate / 1024:.1f} KiB/s ({rate * 8 / 1000:.0f} kbit/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
