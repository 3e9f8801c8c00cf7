"""A TCP peer that accepts and never answers: the ``stall_uri`` of ``stop_latency`` (a client stuck in its
TCP/TLS or WebSocket handshake).

Locking: runs on its own BackgroundLoop; ``accepted`` and ``open_connections`` are read from other threads
and guarded by ``_lock``; ``port`` is written once before ``__enter__`` returns.
"""

from __future__ import annotations

import asyncio
import threading

from .background import BackgroundServer


class SilentServer(BackgroundServer):
    _loop_name = "wsh-silent-server"

    def __init__(self, *, bind_host: str = "127.0.0.1", public_host: str | None = None) -> None:
        self._bind_host = bind_host
        self.public_host = public_host or bind_host
        self.port = 0
        self._lock = threading.Lock()
        self._accepted = 0  # guarded by _lock
        self._open = 0  # guarded by _lock
        self._writers: set[asyncio.StreamWriter] = set()  # loop thread only
        self._server: asyncio.Server | None = None

    @property
    def accepted(self) -> int:
        with self._lock:
            return self._accepted

    @property
    def open_connections(self) -> int:
        with self._lock:
            return self._open

    def uri(self, scheme: str = "ws", path: str = "") -> str:
        return f"{scheme}://{self.public_host}:{self.port}{path}"

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._hold, self._bind_host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Read and drop until the peer leaves, so its bytes never fill a window and block it for another reason.
        with self._lock:
            self._accepted += 1
            self._open += 1
        self._writers.add(writer)
        try:
            while await reader.read(4096):
                pass
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with self._lock:
                self._open -= 1
