"""An asyncio event loop on a daemon thread, so synchronous tests can run asyncio servers beside a DUT, and
the base of such servers: started by entering a ``with`` block, stopped by leaving it.

Locking: the loop and everything it runs belong to the loop thread; other threads only submit coroutines
with ``run()`` (run_coroutine_threadsafe) and stop it with ``close()``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        # As asyncio.run() ends a loop: a task left pending (a connection still closing) would otherwise be
        # destroyed later by the garbage collector, on whatever thread runs it, and its clean-up code would act
        # on that thread's running loop (websockets' close timeout cancelled another server's start so).
        try:
            self.run(self._finish_tasks(), timeout=10.0)
        except (TimeoutError, concurrent.futures.TimeoutError):
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()

    async def _finish_tasks(self) -> None:
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self._loop.shutdown_asyncgens()


class BackgroundServer:
    """A server whose coroutines run on a BackgroundLoop of its own. Subclasses define ``async _start()``
    (bind, set ``port``) and ``async _stop()``, and may set ``_loop_name`` and ``_stop_timeout_s``."""

    _loop_name = "wsh-server"
    _stop_timeout_s: float | None = 30.0
    _loop: BackgroundLoop | None = None

    async def _start(self) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self._loop = BackgroundLoop(self._loop_name)
        try:
            self._loop.run(self._start())
        except BaseException:
            self._loop.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None
        try:
            self._loop.run(self._stop(), timeout=self._stop_timeout_s)
        finally:
            self._loop.close()
