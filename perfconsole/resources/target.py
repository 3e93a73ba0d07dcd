"""Finding the target: its address from the host URL, and its process by pid, name or listening port."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import psutil

from perfconsole.errors import UserError
from perfconsole.hosts import (
    LOOPBACK_NAMES,
    display_url,
    is_loopback_host,
    is_on_this_machine,
    validate_target_url,
)


@dataclass(frozen=True, slots=True)
class TargetAddress:
    """Where the load goes: the host URL's host name, the IPs it resolves to and the port."""

    host: str
    port: int
    ips: frozenset[str]
    is_local: bool = True
    """Served by this machine (loopback or one of its interface addresses): its process can be seen."""

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)

    def matches(self, ip: str, port: int) -> bool:
        """Whether a socket address is this target (IPv4-mapped IPv6 forms count)."""
        return port == self.port and _plain_ip(ip) in self.ips


def _plain_ip(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def target_address(url: str) -> TargetAddress:
    """Host, port (scheme default) and resolved IPs of an http(s) URL; raises UserError if unusable."""
    parts = urlsplit(validate_target_url(url, "host", allow_query=True))
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    host = parts.hostname or ""
    if host in LOOPBACK_NAMES:
        ips = frozenset({"127.0.0.1", "::1"})
    else:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise UserError(
                f"cannot resolve host {host!r} of {display_url(url)}: {_gai_reason(exc)}"
            ) from None
        ips = frozenset(_plain_ip(str(info[4][0])) for info in infos)
    return TargetAddress(host, port, ips, is_on_this_machine(ips, host))


def _gai_reason(exc: Exception) -> str:
    return exc.args[1] if isinstance(exc, socket.gaierror) and len(exc.args) > 1 else str(exc)


def root_pids(pids: Iterable[int]) -> list[int]:
    """The pids whose parent is not in the set: the top of each process tree (e.g. a gunicorn master)."""
    wanted = set(pids)
    roots = []
    for pid in sorted(wanted):
        try:
            parent = psutil.Process(pid).ppid()
        except psutil.Error:
            continue
        if parent not in wanted:
            roots.append(pid)
    return roots


def listening_pids(address: TargetAddress) -> list[int]:
    """Pids of processes with a TCP socket listening on the target's port and one of its IPs (or any IP).

    Only processes this user may inspect are seen (on Linux, those of the same user unless root).
    """
    wildcard = {"0.0.0.0", "::"}
    pids = set()
    try:
        sockets = psutil.net_connections(kind="tcp")
    except psutil.Error:
        return []
    for conn in sockets:
        if conn.status != psutil.CONN_LISTEN or conn.pid is None or not conn.laddr:
            continue
        ip = _plain_ip(conn.laddr.ip)
        if conn.laddr.port == address.port and (ip in address.ips or ip in wildcard):
            pids.add(conn.pid)
    return sorted(pids)


def pids_by_name(name: str) -> list[int]:
    """Pids of processes whose name is exactly ``name`` (this process excluded)."""
    me = psutil.Process().pid
    found = []
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] == name and proc.pid != me:
            found.append(proc.pid)
    return found


@dataclass(frozen=True, slots=True)
class TargetProcess:
    """The process (tree) watched as the target, and how it was found."""

    pid: int
    how: str
    """``pid``, ``name`` or ``port``."""
    name: str

    @property
    def label(self) -> str:
        return f"pid {self.pid} ({self.name}, by {self.how})"


def _describe(pid: int, how: str) -> TargetProcess:
    try:
        name = psutil.Process(pid).name()
    except psutil.NoSuchProcess:
        raise UserError(f"target process {pid} does not exist") from None
    except psutil.Error:
        name = "?"
    return TargetProcess(pid, how, name)


def find_target_process(
    *, pid: int | None = None, name: str | None = None, url: str | None = None, auto: bool = True
) -> TargetProcess | None:
    """The target process by ``pid``, else by ``name``, else (``auto``) the local listener of ``url``'s port.

    An explicit pid or name that matches nothing raises UserError; automatic discovery returns ``None``
    when the host is not loopback or no visible process listens on the port. Several matching processes
    of one tree (a server and its workers) resolve to the tree's root.
    """
    if pid is not None:
        if not psutil.pid_exists(pid):
            raise UserError(f"target process {pid} does not exist")
        return _describe(pid, "pid")
    if name:
        roots = root_pids(pids_by_name(name))
        if not roots:
            raise UserError(f"no process named {name!r} is running")
        if len(roots) > 1:
            listed = ", ".join(str(p) for p in roots[:10])
            raise UserError(
                f"{len(roots)} processes are named {name!r} ({listed}): give the target pid instead"
            )
        return _describe(roots[0], "name")
    if not auto or not url:
        return None
    address = target_address(url)
    if not address.is_local:
        return None
    roots = root_pids(listening_pids(address))
    if len(roots) != 1:
        return None
    try:
        return _describe(roots[0], "port")
    except UserError:
        return None
