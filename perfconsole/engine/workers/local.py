"""Local Locust worker processes: started, watched and always reaped.

Each worker is Locust's ``locust -f FILE --worker`` (through ``perfconsole.engine.workers.worker_main``, which
adds a parent watchdog) in its own process group with stdin closed (so the terminal's Ctrl-C and Locust's key
listener never reach it; ``stop`` signals the whole group) and its output in its own file (so it never draws
over the console), which ``perfconsole.engine.workers.output`` reads back for the operator.

The group stays in the console's session, as ``locust --processes`` workers do: a new session would also be
a new scheduler autogroup on Linux, and on a busy machine a worker in a group of its own waits longer for a
server on the same machine to answer (measured with nginx on loopback: about 0.4 of plain Locust's
throughput instead of 0.9; ``benchmarks/throughput.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from perfconsole.engine.workers.output import OperatorLog, WorkerOutput
from perfconsole.engine.workers.worker_main import PARENT_ENV


@dataclass
class LocalWorkers:
    """A group of local worker processes connected to one master."""

    locustfiles: tuple[Path, ...]
    master_port: int
    count: int
    locust_args: tuple[str, ...] = ()
    """Locust options after ``--worker`` (``perfconsole.engine.workers.argv``: tags, custom arguments ...)."""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    master_host: str = "127.0.0.1"
    """Where the master listens, as seen from this machine (loopback for a wildcard bind)."""
    log: OperatorLog = field(default_factory=OperatorLog)
    output: WorkerOutput | None = None
    loglevel: str = "WARNING"
    """Locust's --loglevel on the workers (a headless run passes its own, as Locust's --processes do)."""
    logfile: str | None = None
    skip_log_setup: bool = False

    def start(self) -> None:
        self.output = output = WorkerOutput(self.count, self.log)
        command = [
            sys.executable,
            "-m",
            "perfconsole.engine.workers.worker_main",
            "-f",
            ",".join(str(f) for f in self.locustfiles),
            "--worker",
            "--master-host",
            self.master_host,
            "--master-port",
            str(self.master_port),
            "--loglevel",
            self.loglevel,
        ]
        if self.logfile:
            command += ["--logfile", self.logfile]
        if self.skip_log_setup:
            command.append("--skip-log-setup")
        command += self.locust_args
        env = {**os.environ, PARENT_ENV: str(os.getpid())}  # prints buffered; worker_main flushes them
        for index in range(self.count):
            out_path, err_path = output.files(index)
            with open(out_path, "ab") as out, open(err_path, "ab") as err:
                self.processes.append(
                    subprocess.Popen(
                        command,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        process_group=0,
                        env=env,
                    )
                )

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.poll() is None]

    def ended_by_signal(self) -> dict[int, int]:
        """pid -> signal number of the workers a signal ended (SIGKILL ...; on SIGTERM Locust exits)."""
        return {p.pid: -code for p in self.processes if (code := p.poll()) is not None and code < 0}

    def exited(self) -> list[int]:
        """Return codes of the workers that have exited."""
        return [code for p in self.processes if (code := p.poll()) is not None]

    def log_tail(self, lines: int = 5) -> str:
        return self.output.tail(lines) if self.output is not None else ""

    def poll_output(self, final: bool = False) -> None:
        if self.output is not None:
            self.output.poll(final=final)

    def wait_exited(self, timeout_s: float) -> bool:
        """Blocking (gevent-cooperative): wait until every worker has exited by itself."""
        import gevent

        deadline = time.monotonic() + timeout_s
        while any(p.poll() is None for p in self.processes):
            if time.monotonic() > deadline:
                return False
            gevent.sleep(0.1)
        return True

    def stop(self, timeout_s: float = 5.0) -> None:
        """Terminate every worker (its whole process group) and reap it; kill stragglers."""
        for proc in self.processes:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for proc in self.processes:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=5)
        if self.output is not None:
            self.output.poll(final=True)
            self.output.remove()
            self.output = None


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
