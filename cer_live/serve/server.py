"""The preview server: aiohttp on an event loop of its own thread, started and stopped by the run."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from aiohttp import web

from ..errors import CerLiveError
from .address import ServeAddress
from .app import Preview, make_app
from .guard import ConnectionGate
from .quiet import OneLine
from .sink import PreviewSink
from .tiles import Tiles

log = logging.getLogger(__name__)

_START_S = 10.0
KEEPALIVE_S = 5.0  # an idle kept-alive connection (or one that never sends a request) is closed after this


class PreviewServer:
    def __init__(self, address: ServeAddress, token: str | None, tiles: Tiles) -> None:
        self.address, self.tiles = address, tiles
        self._gate = ConnectionGate()
        self.app, self.preview = make_app(tiles, token, address, self._gate)
        self.port = address.port
        self._loop = asyncio.new_event_loop()
        self._quiet = OneLine(log)
        self._loop.set_exception_handler(self._quiet.loop_exception)  # e.g. accept() out of file descriptors
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="preview", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.address.url_host}:{self.port}/"

    def start(self) -> PreviewServer:
        """Returns once the port is bound; a port in use is a one-line error."""
        self._thread.start()
        if not self._ready.wait(_START_S):
            raise CerLiveError(f"the preview server did not start within {_START_S:g} s")
        if self._error is not None:
            raise CerLiveError(
                f"cannot serve the preview on {self.address.host}:{self.address.port} ({self._error}); choose another --serve port"
            ) from None
        log.info("live preview at %s%s", self.url, " (add ?token=TOKEN)" if self.preview.token_required else "")
        return self

    def sink(self, stem: str, watermark: str) -> PreviewSink:
        return PreviewSink(self.tiles[stem], watermark)

    def stop(self, linger_s: float = 0.0) -> None:
        """`linger_s`: how long an open page may still ask, so that it shows the end, not an error."""
        if not self._thread.is_alive():
            return
        if linger_s > 0 and self.preview.polled:
            time.sleep(linger_s)
        self.preview.closing = True
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._bind())
        except BaseException as exc:  # reported by start(), on the run's thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _bind(self) -> None:
        self._runner = web.AppRunner(
            self.app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=1.0,
            logger=self._quiet,
            keepalive_timeout=KEEPALIVE_S,
            lingering_time=1.0,
            max_line_size=8190,
            max_field_size=8190,
            max_headers=64,
        )
        await self._runner.setup()
        # Our own listener, so every new connection passes the gate (aiohttp's sites take none).
        self._gate.server = self._runner.server
        self._listener = await self._loop.create_server(self._gate, self.address.host, self.address.port, backlog=128)
        self.port = self._listener.sockets[0].getsockname()[1]  # the port actually bound (0 picks a free one)

    async def _shutdown(self) -> None:
        await asyncio.sleep(2 * 0.03)  # picture streams see `closing` and end their responses
        if self._listener is not None:
            self._listener.close()
        if self._runner is not None:
            await self._runner.cleanup()


def start_preview(
    address: ServeAddress, token: str | None, stems: list[str], labels: list[str], lives: list[bool] | None = None
) -> PreviewServer:
    return PreviewServer(address, token, Tiles(stems, labels, lives)).start()


__all__ = ["Preview", "PreviewServer", "start_preview"]
