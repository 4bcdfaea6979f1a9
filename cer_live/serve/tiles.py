"""What the preview knows about each source: its newest result and rolling figures.

Written by the source's writer thread (through `PreviewSink`), read by the server thread;
a write only stores a reference and a few numbers, so a browser can never slow a source.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

import numpy as np

from ..messages import FrameResult

_WINDOW_S = 2.0  # frames per second over the last two seconds
_LATENCIES = 240  # capture-to-output samples behind p50/p95

# Status events to what a tile shows.
_STATUS = {
    "connected": "live",
    "recovered": "live",
    "lost": "reconnecting",
    "retrying": "reconnecting",
    "gave_up": "ended",
}


class Tile:
    def __init__(self, index: int, stem: str, label: str, live: bool = True) -> None:
        self.index, self.stem, self.label = index, stem, label
        self.running = "live" if live else "playing"  # a file being analysed is not live
        self.watermark = ""
        self._lock = threading.Lock()
        self._result: FrameResult | None = None
        self._version = 0
        self._times: deque[float] = deque()
        self._latency: deque[float] = deque(maxlen=_LATENCIES)
        self.frames = 0
        self.dropped = 0
        self.status = "starting"

    def update(self, result: FrameResult) -> None:
        now = time.monotonic()
        with self._lock:
            self._result = result
            self._version += 1
            self.frames += 1
            self.dropped = max(self.dropped, result.frame.dropped)
            self._times.append(now)
            while self._times and now - self._times[0] > _WINDOW_S:
                self._times.popleft()
            if "capture_to_output" in result.stage_ms:
                self._latency.append(result.stage_ms["capture_to_output"])
            if self.status in ("starting", "reconnecting"):
                self.status = self.running

    def event(self, kind: str) -> None:
        with self._lock:
            self.status = _STATUS.get(kind, self.status)

    def end(self) -> None:
        with self._lock:
            self.status = "ended"

    def latest(self) -> tuple[int, FrameResult | None]:
        with self._lock:
            return self._version, self._result

    def snapshot(self) -> dict[str, Any]:
        """The tile's figures as the status endpoint and the metrics report them."""
        with self._lock:
            now = time.monotonic()
            times = [t for t in self._times if now - t <= _WINDOW_S]
            fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
            p50, p95 = np.percentile(self._latency, [50, 95]) if self._latency else (None, None)
            result = self._result
            return {
                "index": self.index,
                "name": self.stem,
                "source": self.label,
                "status": self.status,
                "frames": self.frames,
                "dropped": self.dropped,
                "fps": round(fps, 2),
                "capture_to_output_ms": {"p50": _round(p50), "p95": _round(p95)},
                "tracks": _tracks(result),
            }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _tracks(result: FrameResult | None) -> list[dict[str, Any]]:
    if result is None:
        return []
    out = []
    for face in result.faces:
        _, label, prob = face.smoothed.top
        out.append({"track": face.track_id, "label": label, "p": round(prob, 3), "held": face.fallback})
    return out


class Tiles:
    """Every source's tile, in source order."""

    def __init__(self, stems: list[str], labels: list[str], lives: list[bool] | None = None) -> None:
        lives = lives if lives is not None else [True] * len(stems)
        self.tiles = [Tile(i, *named) for i, named in enumerate(zip(stems, labels, lives, strict=False))]
        self._by_stem = {tile.stem: tile for tile in self.tiles}

    def __getitem__(self, stem: str) -> Tile:
        return self._by_stem[stem]

    def status(self) -> list[dict[str, Any]]:
        return [tile.snapshot() for tile in self.tiles]
