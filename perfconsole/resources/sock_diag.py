"""TCP sockets with a given port at either end, from the Linux kernel's sock_diag netlink interface.

What ``ss 'sport = :P or dport = :P'`` does: one dump request carrying a small filter program, run by the
kernel on each socket, so only the target's sockets come back, as binary records. Reading
``/proc/net/tcp`` instead makes the kernel format every socket of the machine as text (a few ms a read
with hundreds of sockets, more while they are busy) and this process parse it.
Linux only; ``tcp_rows`` returns None where netlink cannot be used (the caller reads the tables instead).
"""

from __future__ import annotations

import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
INET_DIAG_REQ_BYTECODE = 1
_ALL_STATES = 0x1FFF  # 1 << state, TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12: reported as SYN_RECV)
_BC_JMP, _BC_S_GE, _BC_S_LE, _BC_D_GE, _BC_D_LE = 1, 2, 3, 4, 5
_HEADER = struct.Struct("=IHHII")  # nlmsghdr: len, type, flags, seq, pid
_REQUEST = struct.Struct("=BBBBI48x")  # inet_diag_req_v2: family, protocol, ext, pad, states; id zeroed
_MESSAGE = struct.Struct("=BBBB2s2s16s16s")  # inet_diag_msg up to id.dst: family, state, ..., ports, addrs
TCP_STATE_NAMES = (
    "NONE",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
)
Row = tuple[str, int, str, int, str]
"""(local ip, local port, remote ip, remote port, state), as ``connections.parse_proc_tcp`` gives them."""


def _op(code: int, yes: int, no: int) -> bytes:
    return struct.pack("=BBH", code, yes, no)


def port_filter(port: int) -> bytes:
    """The filter program ``dport == port or sport == port`` (inet_diag_bc_op; a jump past the end by 4
    rejects, reaching the end exactly accepts)."""
    value = _op(0, 0, port)
    return b"".join(
        (
            _op(_BC_D_GE, 8, 20) + value,  # 0: dport >= port, else try sport (at 20)
            _op(_BC_D_LE, 8, 12) + value,  # 8: dport <= port, else try sport
            _op(_BC_JMP, 4, 20),  # 16: accept
            _op(_BC_S_GE, 8, 20) + value,  # 20: sport >= port, else reject
            _op(_BC_S_LE, 8, 12) + value,  # 28: sport <= port (accept), else reject
        )
    )


def _request(family: int, port: int) -> bytes:
    bytecode = port_filter(port)
    attribute = struct.pack("=HH", 4 + len(bytecode), INET_DIAG_REQ_BYTECODE) + bytecode
    body = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, _ALL_STATES) + attribute
    flags = NLM_F_REQUEST | NLM_F_DUMP
    return _HEADER.pack(_HEADER.size + len(body), SOCK_DIAG_BY_FAMILY, flags, 1, 0) + body


def _address(family: int, raw: bytes) -> str:
    if family == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[:4])
    if raw[:12] == b"\0" * 10 + b"\xff\xff":  # IPv4-mapped, shown as the IPv4 address (as /proc is read)
        return socket.inet_ntop(socket.AF_INET, raw[12:16])
    return socket.inet_ntop(socket.AF_INET6, raw)


def parse_messages(data: bytes) -> tuple[list[Row], bool]:
    """Rows of one netlink read, and whether the dump is done. OSError on an error message."""
    rows: list[Row] = []
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, kind, _flags, _seq, _pid = _HEADER.unpack_from(data, offset)
        if length < _HEADER.size:
            raise OSError("malformed netlink message")
        if kind == NLMSG_DONE:
            return rows, True
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", data, offset + _HEADER.size)
            raise OSError(-error, "sock_diag refused the request")
        if kind == SOCK_DIAG_BY_FAMILY:
            family, state, _t, _r, sport, dport, src, dst = _MESSAGE.unpack_from(data, offset + _HEADER.size)
            rows.append(
                (
                    _address(family, src),
                    int.from_bytes(sport, "big"),
                    _address(family, dst),
                    int.from_bytes(dport, "big"),
                    TCP_STATE_NAMES[state] if state < len(TCP_STATE_NAMES) else "NONE",
                )
            )
        offset += (length + 3) & ~3
    return rows, False


def tcp_rows(port: int, families: tuple[int, ...] = (socket.AF_INET,)) -> list[Row] | None:
    """This machine's TCP sockets with ``port`` at either end, in every state; None when sock_diag is
    not available here (not Linux, or refused)."""
    if not hasattr(socket, "AF_NETLINK"):
        return None
    rows: list[Row] = []
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG) as sock:
            sock.settimeout(2.0)
            for family in families:
                sock.sendall(_request(family, port))
                done = False
                while not done:
                    found, done = parse_messages(sock.recv(65536))
                    rows.extend(found)
    except (OSError, struct.error, ValueError):
        return None
    return rows
