"""Autobahn's fuzzing server (kosoku, in-process) for a WebSocket client under test, and for wss a TLS front:
the testee speaks TLS to the front, which relays the plain bytes to kosoku (kosoku has no TLS of its own).

``with FuzzingPeer(cases, tls=material) as peer:`` then point the testee at ``peer.base_uri``; after the
testee's last case (its /updateReports call), ``peer.results(timeout)`` gives kosoku's CaseResults.

Locking: kosoku's server and the relays live on this peer's BackgroundLoop; other threads only call
``results()``, which waits on that loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence

import kosoku

from ..tls import TlsMaterial, server_ssl_context
from .background import BackgroundServer

RELAY_CHUNK = 1 << 16


class FuzzingPeerError(RuntimeError):
    """The fuzzing server gave no results; the message says why."""


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(RELAY_CHUNK):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass  # a reset or a TLS error on one side ends the relay like an end of stream
    # Pass the end on as an end: kosoku's verdicts on who closed first depend on it. A TLS side has no half
    # close, so it is closed.
    try:
        if writer.can_write_eof() and not writer.is_closing():
            writer.write_eof()
        else:
            writer.close()
    except OSError:
        writer.close()


class FuzzingPeer(BackgroundServer):
    _loop_name = "wsh-fuzzing-server"

    def __init__(self, cases: Sequence[str], exclude: Sequence[str] = (), *, tls: TlsMaterial | None = None,
                 bind_host: str = "127.0.0.1", public_host: str | None = None) -> None:
        self._cases = list(cases)
        self._exclude = list(exclude)
        self._tls = tls
        self._bind_host = bind_host
        self.public_host = public_host or bind_host
        self.port = 0
        self._server: kosoku.FuzzingServer | None = None
        self._front: asyncio.Server | None = None
        self._result: concurrent.futures.Future | None = None
        self._relays: set[asyncio.Task] = set()

    @property
    def scheme(self) -> str:
        return "wss" if self._tls else "ws"

    @property
    def base_uri(self) -> str:
        return f"{self.scheme}://{self.public_host}:{self.port}"

    async def _start(self) -> None:
        self._server = kosoku.run_fuzzingserver(self._cases, self._exclude, host=self._bind_host, port=0)
        await self._server.__aenter__()
        self.port = self._server.port
        if self._tls is not None:
            self._front = await asyncio.start_server(self._relay, self._bind_host, 0,
                                                     ssl=server_ssl_context(self._tls))
            self.port = self._front.sockets[0].getsockname()[1]
        self._result = asyncio.ensure_future(self._collect())  # type: ignore[assignment]

    async def _collect(self) -> list:
        assert self._server is not None
        try:
            return await self._server.get_result()
        except kosoku.FailureError as failure:  # some case failed: the results are still all there
            return failure.results

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._server is not None
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(self._server.address, self._server.port)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            writer.close()
            up_writer.close()
            self._relays.discard(task)

    async def _wait_result(self, timeout: float) -> list:
        assert self._result is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)  # type: ignore[arg-type]
        except asyncio.TimeoutError:
            raise FuzzingPeerError(f"the fuzzing server reported no results within {timeout:.0f} s "
                                   "(the testee did not finish its last case or /updateReports)") from None

    def results(self, timeout: float) -> list:
        """kosoku's CaseResults, in case order, once the testee has called /updateReports."""
        assert self._loop is not None
        return self._loop.run(self._wait_result(timeout), timeout=None)

    async def _stop(self) -> None:
        if self._result is not None and not self._result.done():
            self._result.cancel()
        if self._front is not None:
            self._front.close()
        for relay in list(self._relays):
            relay.cancel()
        await asyncio.gather(*self._relays, return_exceptions=True)
        if self._server is not None:
            await self._server.__aexit__(None, None, None)
