"""The access token: every request carries it (query `token=` or a header), or gets 401."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

HEADER = "X-Cer-Live-Token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def presented(request: web.Request) -> str:
    """The token a request carries, wherever it put it; empty if none."""
    bearer = request.headers.get("Authorization", "")
    if bearer.lower().startswith("bearer "):
        return bearer[7:].strip()
    return request.headers.get(HEADER) or request.query.get("token", "")


def token_middleware(token: str | None) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    expected = (token or "").encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        # Compared in constant time, so the token cannot be guessed byte by byte.
        if expected and not hmac.compare_digest(presented(request).encode(), expected):
            return web.json_response({"error": "missing or wrong access token"}, status=401)
        return await handler(request)

    return check


@web.middleware
async def safe_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token may sit in the page's URL
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'"
    )
    return response
