"""TCP connections to and at the target, counted by state from one read of the kernel's socket tables.

On Linux the kernel's sock_diag interface is asked for the sockets on the target's port only
(``sock_diag.tcp_rows``, as ``ss`` does: about a third of the CPU of the next way); where it cannot be
used, ``/proc/net/tcp`` and ``/proc/net/tcp6`` are parsed directly, one read of each per sample (mapping
sockets to pids, as ``psutil.net_connections`` does, would cost a scan of every process's file
descriptors). Elsewhere ``psutil.net_connections`` is used.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from perfconsole.resources.sock_diag import tcp_rows
from perfconsole.resources.target import TargetAddress

TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}
_PROC_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


@dataclass(frozen=True, slots=True)
class ConnectionCounts:
    """What one read of the socket tables says about the target."""

    to_target: dict[str, int] = field(default_factory=dict)
    """Client-side sockets on this machine whose remote end is the target, by state."""
    at_target: int = 0
    """Accepted server-side sockets on the target's port (local targets only; LISTEN excluded)."""


def decode_proc_address(text: str) -> tuple[str, int]:
    """``0100007F:1F90`` -> (``127.0.0.1``, 8080); IPv6 tables use four little-endian 32-bit words."""
    hex_ip, hex_port = text.split(":")
    raw = bytes.fromhex(hex_ip)
    words = b"".join(struct.pack("<I", w) for w in struct.unpack(f">{len(raw) // 4}I", raw))
    if len(words) == 4:
        ip = socket.inet_ntop(socket.AF_INET, words)
    else:
        address = ipaddress.IPv6Address(words)
        ip = str(address.ipv4_mapped) if address.ipv4_mapped is not None else str(address)
    return ip, int(hex_port, 16)


def parse_proc_tcp(lines: Iterable[str], port: int | None = None) -> list[tuple[str, int, str, int, str]]:
    """Rows of a ``/proc/net/tcp[6]`` table as (local ip, local port, remote ip, remote port, state).

    With ``port``, only rows with that port at either end are decoded (a cheap text match first).
    """
    port_suffix = f":{port:04X}" if port is not None else ""
    rows = []
    for line in lines:
        fields = line.split(None, 4)
        if len(fields) < 4 or fields[0] == "sl":
            continue
        if port_suffix and not (fields[1].endswith(port_suffix) or fields[2].endswith(port_suffix)):
            continue
        try:
            local_ip, local_port = decode_proc_address(fields[1])
            remote_ip, remote_port = decode_proc_address(fields[2])
        except ValueError:
            continue
        rows.append((local_ip, local_port, remote_ip, remote_port, TCP_STATES.get(fields[3].upper(), "NONE")))
    return rows


def count_connections(
    rows: Iterable[tuple[str, int, str, int, str]], target: TargetAddress
) -> ConnectionCounts:
    """Count client-side connections to the target by state, and server-side ones at it. Pure."""
    to_target: Counter[str] = Counter()
    at_target = 0
    for local_ip, local_port, remote_ip, remote_port, state in rows:
        if target.matches(remote_ip, remote_port):
            to_target[state] += 1
        elif state != "LISTEN" and target.matches(local_ip, local_port):
            at_target += 1
    return ConnectionCounts(dict(to_target), at_target)


def _psutil_rows() -> list[tuple[str, int, str, int, str]]:
    rows = []
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.raddr:
            rows.append((conn.laddr.ip, conn.laddr.port, conn.raddr.ip, conn.raddr.port, conn.status))
    return rows


def read_connection_counts(target: TargetAddress) -> ConnectionCounts:
    """Current counts (empty when the tables cannot be read).

    The IPv6 table is read only for a target with an IPv6 address: each table read costs the kernel a
    walk of its whole socket hash (about 5 ms here), and clients reach an IPv4 target over IPv4 sockets.
    """
    has_ipv6 = any(":" in ip for ip in target.ips)
    families = (socket.AF_INET, socket.AF_INET6) if has_ipv6 else (socket.AF_INET,)
    diagnosed = tcp_rows(target.port, families)
    if diagnosed is not None:
        return count_connections(diagnosed, target)
    try:
        if _PROC_TABLES[0].exists():
            rows: list[tuple[str, int, str, int, str]] = []
            for table in _PROC_TABLES if has_ipv6 else _PROC_TABLES[:1]:
                if table.exists():
                    rows.extend(parse_proc_tcp(table.read_text().splitlines(), target.port))
        else:
            rows = _psutil_rows()
    except (OSError, psutil.Error):
        return ConnectionCounts()
    return count_connections(rows, target)
