"""The sink that feeds the browser preview: it keeps a reference to the newest result, no more."""

from __future__ import annotations

from typing import Any

from ..messages import FrameResult
from ..sinks.base import Sink
from .tiles import Tile


class PreviewSink(Sink):
    name = "preview"
    path = None

    def __init__(self, tile: Tile, watermark: str) -> None:
        self.tile = tile
        tile.watermark = watermark

    def write(self, result: FrameResult) -> None:
        # Drawing and JPEG encoding happen on the server's side, only for frames a browser asks for.
        self.tile.update(result)

    def event(self, record: dict[str, Any]) -> None:
        kind = record.get("event")
        if isinstance(kind, str):
            self.tile.event(kind)

    def close(self) -> None:
        self.tile.end()
