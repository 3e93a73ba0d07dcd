"""Run the demo target as a child process (``perfconsole demo-target``) and stop it reliably.

Used by the engine when a run has no host, and by tests. Needs neither Flask nor Locust in the caller.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Any

from perfconsole.errors import UserError

READY_LINE = re.compile(r"demo target listening on (http://\S+:(\d+))")
START_TIMEOUT_S = 20.0
"""Time allowed for the child to bind and print its ready line (imports are slow on a busy machine)."""
STOP_TIMEOUT_S = 5.0
"""Time allowed after SIGTERM before SIGKILL."""


class DemoTargetError(UserError):
    """The demo target could not be started or controlled."""


def _terminate(popen: subprocess.Popen[bytes], timeout_s: float) -> None:
    """SIGTERM the child's process group, SIGKILL it after ``timeout_s``, and reap it."""
    if popen.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            popen.wait(timeout=timeout_s)
            return
        except subprocess.TimeoutExpired:
            continue
    popen.wait()


class DemoTargetProcess:
    """A running demo target child. Stop it with ``stop()`` or use it as a context manager."""

    def __init__(self, popen: subprocess.Popen[bytes], stderr_file: IO[bytes], url: str, port: int) -> None:
        self._popen = popen
        self._stderr_file = stderr_file
        self.url = url
        """Base URL, e.g. ``http://127.0.0.1:40123`` (no trailing slash)."""
        self.port = port
        # Kills the child if the owner forgets (garbage collection or interpreter exit).
        self._finalizer = weakref.finalize(self, _terminate, popen, STOP_TIMEOUT_S)

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def running(self) -> bool:
        return self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM, then SIGKILL after ``timeout_s``; reaps the child. Safe to call twice."""
        if self._finalizer.detach() is not None:
            _terminate(self._popen, timeout_s)
        for stream in (self._popen.stdout, self._stderr_file):
            if stream is not None and not stream.closed:
                stream.close()

    def control(self, settings: Mapping[str, Any] | None = None, timeout_s: float = 5.0) -> dict[str, Any]:
        """POST ``settings`` to ``/_control`` (or GET it when None); returns the settings now in force.

        Keys: latency_ms, jitter_ms, error_rate, path_latency_ms, path_error_rates, reset.
        """
        data = None if settings is None else json.dumps(dict(settings)).encode()
        req = urllib.request.Request(
            f"{self.url}/_control",
            data=data,
            method="GET" if data is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as response:
                result: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            try:
                detail = json.loads(detail).get("error", detail)
            except (ValueError, AttributeError):
                pass
            raise DemoTargetError(f"demo target refused the settings: {detail}") from None
        except OSError as exc:
            raise DemoTargetError(f"demo target at {self.url} is not answering: {exc}") from None
        return result

    def __enter__(self) -> DemoTargetProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DemoTargetProcess(url={self.url!r}, pid={self.pid}, running={self.running})"


def demo_target_command(
    port: int = 0,
    latency_ms: float | None = None,
    jitter_ms: float | None = None,
    error_rate: float | None = None,
    db_pool_size: int | None = None,
    seed: int | None = None,
) -> list[str]:
    """The argv of ``python -m perfconsole demo-target ...`` (None leaves a setting at its default)."""
    command = [
        sys.executable,
        "-m",
        "perfconsole",
        "demo-target",
        "--port",
        str(port),
        "--parent-pid",
        str(os.getpid()),
    ]
    for flag, value in (
        ("--latency-ms", latency_ms),
        ("--jitter-ms", jitter_ms),
        ("--error-rate", error_rate),
        ("--db-pool-size", db_pool_size),
        ("--seed", seed),
    ):
        if value is not None:
            command += [flag, str(value)]
    return command


def _last_line(stderr_file: IO[bytes]) -> str:
    stderr_file.seek(0)
    lines = [
        line.strip() for line in stderr_file.read().decode(errors="replace").splitlines() if line.strip()
    ]
    return lines[-1] if lines else "no error output"


def _read_ready_line(popen: subprocess.Popen[bytes], deadline: float) -> str | None:
    """The first stdout line, or None if the child exited first; raises TimeoutError at ``deadline``."""
    assert popen.stdout is not None
    fd = popen.stdout.fileno()
    buffer = b""
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        buffer += chunk
    return buffer.split(b"\n", 1)[0].decode(errors="replace")


def start_demo_target(
    port: int = 0,
    latency_ms: float | None = None,
    jitter_ms: float | None = None,
    error_rate: float | None = None,
    db_pool_size: int | None = None,
    seed: int | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> DemoTargetProcess:
    """Start ``perfconsole demo-target`` on 127.0.0.1 and wait until it listens.

    None keeps the command's default for a setting. The child gets its own session and no stdin.
    Raises DemoTargetError (one line) if it exits early or does not report its port within ``timeout_s``.
    """
    stderr_file = tempfile.TemporaryFile(prefix="perfconsole-demo-target-")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    popen = subprocess.Popen(
        demo_target_command(port, latency_ms, jitter_ms, error_rate, db_pool_size, seed),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        start_new_session=True,
        env=env,
    )
    try:
        line = _read_ready_line(popen, time.monotonic() + timeout_s)
    except TimeoutError:
        _terminate(popen, STOP_TIMEOUT_S)
        detail = _last_line(stderr_file)
        stderr_file.close()
        raise DemoTargetError(f"demo target did not start within {timeout_s:g} s ({detail})") from None
    except BaseException:
        _terminate(popen, STOP_TIMEOUT_S)
        stderr_file.close()
        raise
    match = READY_LINE.search(line or "")
    if match is None:
        _terminate(popen, STOP_TIMEOUT_S)
        detail = _last_line(stderr_file)
        stderr_file.close()
        code = popen.returncode
        raise DemoTargetError(f"demo target failed to start (exit code {code}): {detail}")
    return DemoTargetProcess(popen, stderr_file, url=match.group(1), port=int(match.group(2)))
