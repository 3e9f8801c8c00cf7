"""Reading an HTTP message head off a raw socket, for the tests' hand-made peers and clients."""

from __future__ import annotations

import socket


def recv_head(conn: socket.socket) -> tuple[bytes, bytes]:
    """(head, what came after it) once the blank line has arrived; (what came, b"") with no blank line if the
    peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return data, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest
