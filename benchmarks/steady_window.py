"""A load run's steady middle, measured from outside: requests the target answered, CPU the generator spent.

Whole-run figures mix in what is not per request: start-up (perfconsole starts its worker processes with
their own imports, `locust --processes` forks them), spawning and stopping, and each tool's own idea of a
run's duration. Between two reads in the middle of a run, the requests come from the target's own counter
(nginx's `stub_status`, or the demo target's `/metrics`; read over loopback: the reads add two requests)
and the CPU seconds from /proc of the tool's whole process tree, so both tools are measured by the same
ruler. CPU per request is what the
generator pays for each request, on a busy machine too (time spent waiting for a CPU is not counted).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STATUS_PATH = "/nginx_status"
"""nginx's `stub_status` location in the benchmark's configuration."""
SETTLE_S = 2.0
"""The window starts this long after the run's requests begin (users spawned, the first second's noise)."""
END_S = 1.5
"""... and ends this long before the run's duration is up."""
_HANDLED = re.compile(r"\s(\d+)\s+(\d+)\s+(\d+)\s*\n")
_DEMO_COUNT = re.compile(r"^demo_request_duration_seconds_count (\d+)$", re.MULTILINE)


@dataclass
class Window:
    seconds: float = 0.0
    requests: int = 0
    cpu_s: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_s / self.requests * 1e6 if self.requests else 0.0


def nginx_requests(base_url: str) -> int:
    """Requests nginx has handled so far (its stub_status counter)."""
    with urllib.request.urlopen(base_url + STATUS_PATH, timeout=5) as response:  # noqa: S310 - loopback
        text = response.read().decode()
    found = _HANDLED.search(text)
    if found is None:
        raise RuntimeError(f"unexpected stub_status answer: {text[:200]!r}")
    return int(found.group(3))


def demo_requests(base_url: str) -> int:
    """Requests the demo target has answered so far (its ``/metrics`` count; reads count themselves)."""
    with urllib.request.urlopen(base_url + "/metrics", timeout=5) as response:  # noqa: S310 - loopback
        text = response.read().decode()
    found = _DEMO_COUNT.search(text)
    if found is None:
        raise RuntimeError("no request count in /metrics")
    return int(found.group(1))


def target_requests(base_url: str) -> int:
    """Requests the target has answered so far: nginx's counter, else the demo target's."""
    try:
        return nginx_requests(base_url)
    except urllib.error.HTTPError:
        return demo_requests(base_url)


def _tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and every process below it, now."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, total = {root}, 0.0
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    for pid in tree:
        total += cpu.get(pid, 0.0)
    return total


def run_measured(
    command: list[str], seconds: int, target_url: str, timeout_s: float, **popen: object
) -> tuple[subprocess.CompletedProcess[str], Window]:
    """Run ``command`` (a load run of ``seconds``) and measure its window: from ``SETTLE_S`` after its
    requests begin to ``END_S`` before its end (none when the run ended first)."""
    window = Window()
    proc = subprocess.Popen(  # noqa: S603 - the benchmark's own command
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, **popen
    )

    def measure() -> None:
        try:
            last, deadline = target_requests(target_url), time.monotonic() + timeout_s
            while proc.poll() is None and time.monotonic() < deadline:  # until the load begins
                time.sleep(0.1)
                count = target_requests(target_url)
                if count - last > 10:
                    break
                last = count
            time.sleep(SETTLE_S)
            cpu0, count0, t0 = _tree_cpu_s(proc.pid), target_requests(target_url), time.monotonic()
            time.sleep(max(1.0, seconds - SETTLE_S - END_S))
            cpu1, count1, t1 = _tree_cpu_s(proc.pid), target_requests(target_url), time.monotonic()
        except (OSError, RuntimeError):
            return
        if proc.poll() is None:
            window.seconds, window.requests, window.cpu_s = t1 - t0, max(0, count1 - count0 - 1), cpu1 - cpu0

    thread = threading.Thread(target=measure, daemon=True)
    thread.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    thread.join(timeout=seconds)
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr), window
