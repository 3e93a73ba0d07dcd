"""sock_diag: the target's sockets as the kernel's socket table lists them, asked for by port."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from perfconsole.resources.connections import parse_proc_tcp
from perfconsole.resources.sock_diag import NLMSG_ERROR, parse_messages, port_filter, tcp_rows

PROC_TCP = Path("/proc/net/tcp")


def test_same_rows_as_the_proc_table_for_a_listener_and_its_connections() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(3)]
    accepted = [server.accept()[0] for _ in clients]
    try:
        rows = tcp_rows(port)
        if rows is None or not PROC_TCP.exists():
            pytest.skip("sock_diag or /proc/net/tcp not available here")
        listed = parse_proc_tcp(PROC_TCP.read_text().splitlines(), port)
        assert sorted(rows) == sorted(listed)
        assert sum(1 for row in rows if row[4] == "ESTABLISHED") == 6  # both ends of three connections
        assert ("127.0.0.1", port, "0.0.0.0", 0, "LISTEN") in rows
    finally:
        for sock in [*clients, *accepted, server]:
            sock.close()


def test_filter_program_is_whole_ops_ending_at_its_length() -> None:
    program = port_filter(8080)
    assert len(program) == 36 and len(program) % 4 == 0
    assert struct.unpack_from("=BBH", program, 4) == (0, 0, 8080)  # the port follows its comparison


def test_an_error_message_is_an_oserror() -> None:
    message = struct.pack("=IHHIIi", 20, NLMSG_ERROR, 0, 1, 0, -1)
    with pytest.raises(OSError):
        parse_messages(message)
