"""Waiting for Locust workers to join the master: the command to start one elsewhere and who has joined.

Pure helpers plus :func:`wait_for_workers`, which polls a MasterRunner (in a greenlet: it sleeps with
gevent) and reports progress lines through a callback: the exact command for a worker on another machine
(with the address it should dial), how many have joined and their hosts.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gevent

from perfconsole.errors import UserError
from perfconsole.hosts import is_wildcard_address, local_addresses

POLL_S = 0.1
FIRST_REPORT_WAIT_S = 2.0
"""How long joined workers are given to send their first report (see ``wait_for_workers``)."""
REPEAT_S = 10.0
"""The waiting line is repeated this often even when nothing changed (the operator may have scrolled)."""


def worker_host(client_id: str) -> str:
    """The host of a Locust worker from its client id (``HOSTNAME_<uuid4 hex>``)."""
    host, sep, _uuid = client_id.rpartition("_")
    return host if sep else client_id


def advertised_address(bind_host: str) -> str:
    """The address workers on other machines should dial: the bound one, or for a wildcard bind this
    machine's first routable address (else its host name)."""
    if not is_wildcard_address(bind_host):
        return bind_host.strip().strip("[]")
    candidates = []
    for text in local_addresses():
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if not (address.is_loopback or address.is_link_local or address.is_multicast):
            candidates.append(address)
    ipv4 = sorted(str(a) for a in candidates if a.version == 4)
    if ipv4:
        return ipv4[0]
    return socket.getfqdn() or socket.gethostname()


def shown_locustfile(path: Path) -> str:
    """The locustfile as a worker elsewhere would name it: relative to the working directory when inside."""
    try:
        return str(path.resolve().relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return str(path)


def worker_command(
    locustfile: Path | Sequence[Path],
    master_host: str,
    master_port: int,
    locust_args: Sequence[str] = (),
) -> str:
    """The command that starts one worker for this master elsewhere: ``perfconsole worker`` (Locust's
    worker sending exact histograms); ``locust_args`` (``perfconsole.engine.workers.argv``: tags, custom
    arguments) go to Locust after ``--``."""
    files = [locustfile] if isinstance(locustfile, Path) else list(locustfile)
    shown = ",".join(shown_locustfile(f) for f in files)  # Locust's comma list
    parts = ["perfconsole", "worker", "-f", shown, "--master-host", master_host]
    parts += ["--master-port", str(master_port)]
    return shlex.join(parts + (["--", *locust_args] if locust_args else []))


def joined_hosts(runner: Any) -> list[str]:
    """Hosts of the ready workers, ``host xN`` when several share one, in order of first arrival."""
    counts: dict[str, int] = {}
    for node in runner.clients.ready:
        host = worker_host(str(node.id))
        counts[host] = counts.get(host, 0) + 1
    return [host if n == 1 else f"{host} x{n}" for host, n in counts.items()]


def waiting_line(joined: int, expected: int, hosts: list[str], command: str) -> str:
    joined_text = f"{joined} of {expected} worker(s) joined" + (f" ({', '.join(hosts)})" if hosts else "")
    return f"waiting for workers: {joined_text}; start one elsewhere with: {command}"


def wait_for_workers(
    runner: Any,
    expected: int,
    max_wait_s: float,
    *,
    command: str | None,
    report: Callable[[str], None],
    local_failure: Callable[[], str | None] = lambda: None,
    local_tail: Callable[[], str] = lambda: "",
) -> None:
    """Block (cooperatively) until ``expected`` workers are ready and each has sent its first report (at
    most ``FIRST_REPORT_WAIT_S`` more); UserError on timeout or when every local worker died. With
    ``command`` (workers are expected from elsewhere) progress lines go to ``report``.

    Why the first report: a Locust worker says it is ready before its ``init`` hooks ran and before its
    first stats report, which carries the worker's stats start time. A run started in between counts from
    that earlier time (Locust's master keeps the earliest start time it is sent), and the worker answers
    the spawn only after its hooks: the run's req/s would be diluted by up to half a second. Locust's own
    headless master polls its workers once a second, long enough for the report to come first."""
    events = getattr(getattr(runner, "environment", None), "events", None)
    reported: set[str] = set()

    def on_report(client_id: str, data: Any = None, **_kwargs: Any) -> None:
        reported.add(str(client_id))

    if events is not None:
        events.worker_report.add_listener(on_report)
    try:
        _wait_joined(runner, expected, max_wait_s, command, report, local_failure, local_tail)
        deadline = time.monotonic() + FIRST_REPORT_WAIT_S
        while events is not None and time.monotonic() < deadline:
            if all(str(node.id) in reported for node in runner.clients.ready):
                break
            gevent.sleep(0.01)
    finally:
        if events is not None:
            events.worker_report.remove_listener(on_report)


def _wait_joined(
    runner: Any,
    expected: int,
    max_wait_s: float,
    command: str | None,
    report: Callable[[str], None],
    local_failure: Callable[[], str | None],
    local_tail: Callable[[], str],
) -> None:
    deadline = time.monotonic() + max_wait_s
    last: tuple[int, tuple[str, ...]] | None = None
    last_at = 0.0
    while True:
        ready = len(runner.clients.ready)
        if command is not None:
            hosts = joined_hosts(runner)
            now = time.monotonic()
            if (ready, tuple(hosts)) != last or now - last_at >= REPEAT_S:
                last, last_at = (ready, tuple(hosts)), now
                if ready < expected:
                    report(waiting_line(ready, expected, hosts, command))
                else:
                    report(f"all {expected} worker(s) joined ({', '.join(hosts)})")
        if ready >= expected:
            return
        failure = local_failure()
        if failure:
            raise UserError(failure)
        if time.monotonic() > deadline:
            tail = local_tail()
            hosts_text = ", ".join(joined_hosts(runner)) or "none"
            raise UserError(
                f"only {ready} of {expected} worker(s) connected within {max_wait_s:g}s "
                f"(joined: {hosts_text})" + (f" ({tail})" if tail else "")
            )
        gevent.sleep(POLL_S)
