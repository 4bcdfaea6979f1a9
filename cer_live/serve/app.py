"""The preview's web application: the page, its three assets, the pictures and the figures.

Routes are fixed: nothing is looked up on disk from a request, so no file outside the page's
own assets can ever be served.
"""

from __future__ import annotations

import asyncio
import time
from importlib import resources

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from .. import PRODUCER
from .address import ServeAddress
from .auth import Handler, safe_headers, token_middleware
from .frames import JpegCache
from .guard import MAX_STREAMS, ConnectionGate, host_middleware
from .metrics import registry_for, render
from .tiles import Tile, Tiles

ASSETS = {
    "/": ("index.html", "text/html"),
    "/app.js": ("app.js", "text/javascript"),
    "/style.css": ("style.css", "text/css"),
}
BOUNDARY = "cerliveframe"
_POLL_S = 0.03  # how often a picture stream looks for a newer frame


class Preview:
    """State shared by the handlers; `closing` ends every open picture stream."""

    def __init__(self, tiles: Tiles, token_required: bool) -> None:
        self.tiles = tiles
        self.token_required = token_required
        self.streams = 0  # open picture streams; past MAX_STREAMS a new one gets a 503
        self.jpegs = JpegCache()
        self.registry = registry_for(tiles)
        self.closing = False
        self.polled = False  # a page has asked for the status: it is open somewhere
        self.started = time.monotonic()
        self.assets = {
            route: (resources.files(__package__).joinpath("assets", name).read_bytes(), kind)
            for route, (name, kind) in ASSETS.items()
        }


def make_app(
    tiles: Tiles, token: str | None, address: ServeAddress, gate: ConnectionGate
) -> tuple[web.Application, Preview]:
    """`gate` learns which connections have a request in progress (they are never evicted)."""
    preview = Preview(tiles, bool(token))
    middlewares = [gate.middleware, safe_headers, token_middleware(token) if token else host_middleware(address)]
    app = web.Application(middlewares=middlewares, client_max_size=1024)
    for route in ASSETS:
        app.router.add_get(route, _asset(preview, route))
    app.router.add_get("/api/status", _status(preview))
    app.router.add_get("/healthz", _health(preview))
    app.router.add_get("/metrics", _metrics(preview))
    app.router.add_get(r"/stream/{index:\d+}.mjpg", _stream(preview))
    return app, preview


def _asset(preview: Preview, route: str) -> Handler:
    body, kind = preview.assets[route]

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=kind, charset="utf-8")

    return handler


def _status(preview: Preview) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        preview.polled = True
        return web.json_response({"producer": PRODUCER, "sources": preview.tiles.status()})

    return handler


def _health(preview: Preview) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        statuses = [tile.status for tile in preview.tiles.tiles]
        return web.json_response({"ok": True, "uptime_s": round(time.monotonic() - preview.started, 1), "sources": len(statuses),
                                  "live": statuses.count("live"), "reconnecting": statuses.count("reconnecting")})  # fmt: skip

    return handler


def _metrics(preview: Preview) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=render(preview.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handler


def _stream(preview: Preview) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        index = int(request.match_info["index"])
        if index >= len(preview.tiles.tiles):
            raise web.HTTPNotFound(text="no such source")
        if preview.streams >= MAX_STREAMS:
            raise web.HTTPServiceUnavailable(text=f"at most {MAX_STREAMS} picture streams at once; close one")
        preview.streams += 1
        try:
            return await _send_frames(preview, preview.tiles.tiles[index], request)
        finally:
            preview.streams -= 1

    return handler


async def _send_frames(preview: Preview, tile: Tile, request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": f"multipart/x-mixed-replace; boundary={BOUNDARY}"})
    await response.prepare(request)
    seen = 0
    # Each client gets the newest frame when it is ready for one: a slow browser skips
    # frames here, on its own connection, and never holds a source or another browser.
    while not preview.closing:
        version, jpeg = await preview.jpegs.newest(tile)
        if jpeg is None or version == seen:
            await asyncio.sleep(_POLL_S)
            continue
        seen = version
        head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
        try:
            await response.write(head + jpeg + b"\r\n")
        except ConnectionError:  # the browser went away: its stream ends, nothing else does
            return response
    return response
