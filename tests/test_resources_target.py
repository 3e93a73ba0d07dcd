"""Target discovery and measurement against a real child HTTP server on loopback."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from perfconsole.errors import UserError
from perfconsole.hosts import is_loopback_host
from perfconsole.resources.connections import count_connections, decode_proc_address, read_connection_counts
from perfconsole.resources.sampler import ProcessProbe
from perfconsole.resources.target import find_target_process, root_pids, target_address

SERVING = re.compile(rb"port (\d+)")


@dataclass
class ChildServer:
    popen: subprocess.Popen[bytes]
    port: int
    name: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def child_server(tmp_path: Path) -> Iterator[ChildServer]:
    """``python -m http.server`` on 127.0.0.1, run through a uniquely named link (findable by name)."""
    name = "pct" + secrets.token_hex(4)
    exe = tmp_path / name
    exe.symlink_to(os.path.realpath(sys.executable))
    popen = subprocess.Popen(
        [str(exe), "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert popen.stdout is not None
        match = SERVING.search(popen.stdout.readline())
        assert match, "child server did not report its port"
        yield ChildServer(popen, int(match.group(1)), name)
    finally:
        popen.kill()
        popen.wait(10)


def _load(url: str, seconds: float, max_requests: int) -> int:
    """Bounded loopback load: stops at ``seconds`` or ``max_requests``, whichever comes first."""
    done = 0
    deadline = time.monotonic() + seconds
    with httpx.Client(trust_env=False, timeout=2) as client:
        while done < max_requests and time.monotonic() < deadline:
            client.get(url)
            done += 1
    return done


def test_loopback_hosts() -> None:
    for host in ("localhost", "127.0.0.1", "127.5.6.7", "::1", "[::1]", "::ffff:127.0.0.1", "LOCALHOST"):
        assert is_loopback_host(host), host
    for host in ("10.0.0.1", "staging.example.com", "0.0.0.0", "::", "192.168.1.10"):
        assert not is_loopback_host(host), host


def test_target_address_of_urls() -> None:
    address = target_address("http://localhost:8089/api")
    assert (address.port, address.is_loopback) == (8089, True)
    assert address.matches("127.0.0.1", 8089) and address.matches("::ffff:127.0.0.1", 8089)
    assert not address.matches("127.0.0.1", 8090)
    assert target_address("https://127.0.0.1").port == 443
    with pytest.raises(UserError, match=r"host: expected an http\(s\) URL"):
        target_address("127.0.0.1:8000")


def test_proc_table_decoding_and_counting() -> None:
    assert decode_proc_address("0100007F:1F90") == ("127.0.0.1", 8080)
    assert decode_proc_address("00000000000000000000000001000000:0050") == ("::1", 80)
    assert decode_proc_address("0000000000000000FFFF00000100007F:0050") == ("127.0.0.1", 80)
    address = target_address("http://127.0.0.1:8080")
    rows = [
        ("127.0.0.1", 50000, "127.0.0.1", 8080, "ESTABLISHED"),
        ("127.0.0.1", 50001, "127.0.0.1", 8080, "TIME_WAIT"),
        ("127.0.0.1", 8080, "127.0.0.1", 50000, "ESTABLISHED"),
        ("0.0.0.0", 8080, "0.0.0.0", 0, "LISTEN"),
        ("127.0.0.1", 50002, "127.0.0.1", 9999, "ESTABLISHED"),
    ]
    counts = count_connections(rows, address)
    assert counts.to_target == {"ESTABLISHED": 1, "TIME_WAIT": 1}
    assert counts.at_target == 1


@pytest.mark.slow
def test_finds_the_child_by_port_pid_and_name(child_server: ChildServer) -> None:
    by_port = find_target_process(url=child_server.url)
    assert by_port is not None
    assert (by_port.pid, by_port.how, by_port.name) == (child_server.popen.pid, "port", child_server.name)
    by_pid = find_target_process(pid=child_server.popen.pid)
    assert by_pid is not None and by_pid.how == "pid"
    by_name = find_target_process(name=child_server.name)
    assert by_name is not None and by_name.pid == child_server.popen.pid
    # The child's parent (this process) is in the set, so only this process is a root.
    assert root_pids([child_server.popen.pid, os.getpid()]) == [os.getpid()]
    assert find_target_process(url=child_server.url, auto=False) is None


@pytest.mark.slow
def test_unknown_pid_and_name_are_user_errors() -> None:
    with pytest.raises(UserError, match="no process named 'pc-no-such-proc' is running"):
        find_target_process(name="pc-no-such-proc")
    spare = subprocess.Popen([sys.executable, "-c", "pass"])
    spare.wait()
    with pytest.raises(UserError, match=rf"target process {spare.pid} does not exist"):
        find_target_process(pid=spare.pid)


def test_nothing_listening_finds_nothing() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert find_target_process(url=f"http://127.0.0.1:{port}") is None


@pytest.mark.slow
def test_target_cpu_rises_under_load(child_server: ChildServer) -> None:
    probe = ProcessProbe(child_server.popen.pid, "target", tree=True, detail=True)
    assert probe.sample() is not None  # baseline
    time.sleep(1.0)
    idle = probe.sample()
    assert idle is not None and idle.cpu_pct is not None
    # a fixed number of requests, however long a busy box takes: the target's CPU time, not its share of a
    # second, is what the load decides
    sent = _load(child_server.url + "/", seconds=60.0, max_requests=1000)
    loaded = probe.sample()
    assert loaded is not None and loaded.cpu_pct is not None
    assert sent == 1000
    assert loaded.cpu_pct > idle.cpu_pct
    assert loaded.rss_bytes and loaded.rss_bytes > 1_000_000
    assert loaded.threads and loaded.threads >= 1
    assert loaded.open_fds and loaded.open_fds >= 3
    child_server.popen.kill()
    child_server.popen.wait(10)
    assert probe.sample() is None  # gone


@pytest.mark.slow
def test_connections_to_the_target_by_state(child_server: ChildServer) -> None:
    address = target_address(child_server.url)
    before = read_connection_counts(address)
    held = [socket.create_connection(("127.0.0.1", child_server.port)) for _ in range(3)]
    try:
        during = read_connection_counts(address)
        assert during.to_target.get("ESTABLISHED", 0) >= before.to_target.get("ESTABLISHED", 0) + 3
        # The server accepts on its own thread; the kernel already lists its side of each handshake.
        assert during.at_target >= 3
    finally:
        for sock in held:
            sock.close()


def test_demo_target_found_by_port_and_pid_and_its_cpu_rises(demo_target: Any) -> None:
    """The project's own demo target, as the console watches it: found by its port and by its pid."""
    by_port = find_target_process(url=demo_target.url)
    assert by_port is not None and (by_port.pid, by_port.how) == (demo_target.pid, "port")
    by_pid = find_target_process(pid=demo_target.pid)
    assert by_pid is not None and by_pid.how == "pid"
    probe = ProcessProbe(demo_target.pid, "target", tree=True, detail=True)
    probe.sample()
    time.sleep(1.0)
    idle = probe.sample()
    assert idle is not None and idle.cpu_pct is not None
    sent = _load(demo_target.url + "/api/v1/health/ping", seconds=2.5, max_requests=3000)
    loaded = probe.sample()
    assert sent > 50 and loaded is not None and loaded.cpu_pct is not None
    assert loaded.cpu_pct > max(5.0, idle.cpu_pct)
