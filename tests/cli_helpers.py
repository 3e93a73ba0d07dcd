"""Helpers for tests that run the real `perfconsole` command (imported as `cli_helpers`, like the other
test helper modules; no tests here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


def run_perfconsole(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m perfconsole ARGS` in ``cwd``, bounded in time, with no standard input."""
    return subprocess.run(
        [sys.executable, "-m", "perfconsole", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def popen_perfconsole(
    args: list[str],
    cwd: Path,
    stdout: IO[str] | int = subprocess.PIPE,
    stderr: IO[str] | int = subprocess.PIPE,
) -> subprocess.Popen[str]:
    """`python -m perfconsole ARGS` in the background, stdout and stderr piped (or to the files given), no
    standard input."""
    return subprocess.Popen(
        [sys.executable, "-m", "perfconsole", *args],
        cwd=cwd,
        stdout=stdout,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
