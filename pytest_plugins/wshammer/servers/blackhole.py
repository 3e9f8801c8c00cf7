"""A TCP port whose connects are never answered: the ``blackhole_uri`` of ``stop_latency`` (a client stuck in
its TCP connect, F9).

How: a listening socket with backlog 0 whose single accept-queue slot is taken by the rig's own connection;
Linux then drops further SYNs, so a connect hangs until the client gives up. Nothing is ever accepted.
Locking: no thread of its own; ``port`` is written once in ``__enter__``.
"""

from __future__ import annotations

import socket


class BlackholePeer:
    def __init__(self, *, bind_host: str = "127.0.0.1", public_host: str | None = None) -> None:
        self._bind_host = bind_host
        self.public_host = public_host or bind_host
        self.port = 0
        self._listener: socket.socket | None = None
        self._filler: socket.socket | None = None

    def uri(self, scheme: str = "ws") -> str:
        return f"{scheme}://{self.public_host}:{self.port}"

    def __enter__(self) -> BlackholePeer:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._listener.bind((self._bind_host, 0))
            self._listener.listen(0)
            self.port = self._listener.getsockname()[1]
            local = "127.0.0.1" if self._bind_host in ("0.0.0.0", "") else self._bind_host
            self._filler = socket.create_connection((local, self.port), timeout=5)
        except OSError:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        for sock in (self._filler, self._listener):
            if sock is not None:
                sock.close()
        self._filler = self._listener = None
