"""Annotated JPEGs of each tile's newest result, made on the server's side and only on demand."""

from __future__ import annotations

import asyncio

import cv2

from ..messages import FrameResult
from ..sinks.draw import Overlay
from .tiles import Tile

JPEG_QUALITY = 80


class JpegCache:
    """One encoding per tile and frame, however many browsers watch it."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[int, bytes]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._overlays: dict[int, Overlay] = {}  # per tile: placement and labels kept between frames

    async def newest(self, tile: Tile) -> tuple[int, bytes | None]:
        version, result = tile.latest()
        if result is None:
            return version, None
        lock = self._locks.setdefault(tile.index, asyncio.Lock())
        async with lock:
            cached = self._cache.get(tile.index)
            if cached is not None and cached[0] == version:
                return cached
            # Drawing and encoding release the GIL; off the event loop, other clients keep going.
            overlay = self._overlays.setdefault(tile.index, Overlay(tile.watermark))
            jpeg = await asyncio.to_thread(_encode, result, overlay)
            self._cache[tile.index] = (version, jpeg)
            return version, jpeg


def _encode(result: FrameResult, overlay: Overlay) -> bytes:
    ok, buffer = cv2.imencode(".jpg", overlay.draw(result), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buffer.tobytes()
