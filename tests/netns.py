"""Network namespaces for tests with a host that is not loopback (imported as ``netns``; no tests here).

:func:`network_namespace` makes a namespace joined to this one by a veth pair with private test
addresses (``10.213.X.1/30`` here, ``10.213.X.2/30`` inside) that exist only on the two ends, and always
deletes it (and kills what ran inside) afterwards. Traffic to those addresses never leaves this machine.
Where namespaces cannot be made (not root, no ``ip``, no permission) it skips the test with the reason.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"demo target listening on (\S+)")
_counter = itertools.count()


@dataclass
class Namespace:
    name: str
    outside: str
    """This side's address (the master binds here; the namespace reaches us on it)."""
    inside: str
    """The address inside the namespace (its server and worker live here)."""
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def popen(self, argv: list[str], **kwargs: object) -> subprocess.Popen[str]:
        """Start ``argv`` inside the namespace (killed when the namespace is deleted)."""
        proc: subprocess.Popen[str] = subprocess.Popen(  # type: ignore[call-overload]
            ["ip", "netns", "exec", self.name, *argv],
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            **kwargs,
        )
        self.processes.append(proc)
        return proc

    def demo_target(self, timeout_s: float = 60) -> str:
        """Serve the demo target inside on the inside address; return its URL once it listens."""
        proc = self.popen(
            [sys.executable, "-m", "perfconsole", "demo-target", "--bind-address", self.inside, "--port", "0"]
            + ["--latency-ms", "1", "--jitter-ms", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if match := READY.search(line):
                return match.group(1)
            if not line and proc.poll() is not None:
                raise AssertionError(
                    f"demo target in {self.name} exited: {proc.stderr.read() if proc.stderr else ''}"
                )
        raise AssertionError(f"demo target in {self.name} did not start within {timeout_s}s")


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)


def _free_subnet() -> int:
    used = _ip("-o", "addr").stdout
    for _ in range(200):
        third = random.randrange(0, 256)
        if f"10.213.{third}." not in used:
            return third
    raise AssertionError("no free 10.213.X.0/30 test subnet")


@contextmanager
def network_namespace() -> Iterator[Namespace]:
    """A namespace with a veth pair to this one; deleted (with whatever ran inside) on the way out."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (CI runs as root)")
    if shutil.which("ip") is None:
        pytest.skip("the ip command (iproute2) is not installed")
    tag = f"{os.getpid() % 100000}{next(_counter)}"
    name, here, there = f"pcns{tag}", f"pca{tag}", f"pcb{tag}"
    third = _free_subnet()
    ns = Namespace(name, f"10.213.{third}.1", f"10.213.{third}.2")
    made = _ip("netns", "add", name)
    if made.returncode != 0:
        pytest.skip(f"cannot make a network namespace: {made.stderr.strip()}")
    try:
        steps = [
            ("link", "add", here, "type", "veth", "peer", "name", there),
            ("link", "set", there, "netns", name),
            ("addr", "add", f"{ns.outside}/30", "dev", here),
            ("link", "set", here, "up"),
            ("netns", "exec", name, "ip", "addr", "add", f"{ns.inside}/30", "dev", there),
            ("netns", "exec", name, "ip", "link", "set", there, "up"),
            ("netns", "exec", name, "ip", "link", "set", "lo", "up"),
        ]
        for step in steps:
            done = _ip(*step)
            if done.returncode != 0:
                pytest.skip(f"cannot set up the veth pair (ip {' '.join(step)}): {done.stderr.strip()}")
        yield ns
    finally:
        for proc in ns.processes:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, 9)
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        _ip("netns", "del", name)
        _ip("link", "del", here)  # normally gone with the namespace; harmless if so
