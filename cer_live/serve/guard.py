"""Limits that keep the preview answering: a connection cap, idle connections evicted first,
and, when no token is set, a Host/Origin allow-list against DNS rebinding.

Why an allow-list and not an always-on token for the token-less preview: it is bound to a
loopback address, so the only way a remote web page reaches it is a browser on this machine
that a rebinding name sends there; such a request carries the attacker's name in `Host`
(and `Origin`), which the list refuses. The URL stays the plain one users bookmark.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .address import ServeAddress
from .auth import Handler

MAX_CONNECTIONS = 64
MAX_STREAMS = 16
_REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 29\r\n"
    b"Connection: close\r\nRetry-After: 5\r\n\r\ntoo many connections; retry\r\n"
)

Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


class _Refuse(asyncio.Protocol):
    """A connection past the cap when every open one is busy: a 503, then closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(_REFUSAL)
        transport.close()


class ConnectionGate:
    """Wraps the aiohttp server's protocol factory. At the cap, the connections idle longest
    (no request in progress: kept alive, or never sent a whole request) are closed to make
    room; only when every connection is busy is a new one refused with a 503."""

    def __init__(self, limit: int = MAX_CONNECTIONS) -> None:
        self.limit = limit
        self.server: web.Server | None = None  # set once the runner has made it
        self.busy: dict[Any, int] = {}
        self.last_active: dict[Any, float] = {}
        self.closing: set[Any] = set()  # force-closed; the server forgets them a loop turn later

    def __call__(self) -> asyncio.BaseProtocol:
        assert self.server is not None
        live = self._open()
        if len(live) >= self.limit:
            idle = sorted((h for h in live if not self.busy.get(h)), key=lambda h: self.last_active.get(h, 0.0))
            for handler in idle[: len(live) - self.limit + 1]:
                handler.force_close()
                self.closing.add(handler)
            if len(live) - len(idle[: len(live) - self.limit + 1]) >= self.limit:
                return _Refuse()
        handler = self.server()
        self.last_active[handler] = asyncio.get_running_loop().time()
        return handler

    def _open(self) -> list[Any]:
        """The server's connections that are not being closed; what it has forgotten is dropped here too."""
        assert self.server is not None
        known = self.server.connections
        alive = set(known)
        settled = asyncio.get_running_loop().time() - 1.0  # younger ones may not be connected yet
        for gone in [h for h, t in self.last_active.items() if h not in alive and t < settled]:
            del self.last_active[gone]
            self.busy.pop(gone, None)
        self.closing &= alive
        return [h for h in known if h not in self.closing]

    @property
    def middleware(self) -> Middleware:
        @web.middleware
        async def track(request: web.Request, handler: Handler) -> web.StreamResponse:
            protocol = request.protocol
            self.busy[protocol] = self.busy.get(protocol, 0) + 1
            try:
                return await handler(request)
            finally:
                self.busy[protocol] = self.busy.get(protocol, 1) - 1
                self.last_active[protocol] = asyncio.get_running_loop().time()

        return track


def allowed_hosts(address: ServeAddress) -> frozenset[str]:
    names = {"localhost", "127.0.0.1", "::1", address.host.lower()}
    return frozenset(names)


def _host_of(value: str) -> str:
    """'name', 'name:port', '[::1]:port' -> the host, lower case; '' when it cannot be read."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    if value.count(":") > 1:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return ""
    return value.split(":", 1)[0]


def host_middleware(address: ServeAddress) -> Middleware:
    """Without a token, only requests that name this machine by a loopback name pass."""
    allowed = allowed_hosts(address)

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = _host_of(request.headers.get("Host", ""))
        origin = request.headers.get("Origin")
        origin_host = _host_of(origin.split("://", 1)[1]) if origin and "://" in origin else ""
        if host not in allowed or (origin is not None and origin_host not in allowed):
            return web.json_response(
                {"error": "this preview answers only to localhost names; open it as http://127.0.0.1:PORT/"},
                status=403,
            )
        return await handler(request)

    return check
