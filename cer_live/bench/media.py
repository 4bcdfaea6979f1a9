"""Bench media: the sample clip, and synthetic clips of real faces tiled N to a frame.

The faces are cut from the sample stills (`multi_face.jpg`, `single_face.jpg`), so the
detector and the members see real faces; tiles move by a few pixels a frame so that the
tracker and the encoder see motion, not one frozen image.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from .. import samples
from . import runtime

SAMPLE_VIDEO = "WolfgangLanger_Pexels.mp4"
FACE_STILLS = ("multi_face.jpg", "single_face.jpg")
MARGIN = 1.8  # crop side / face box side: keeps the forehead and chin the aligner needs
BACKGROUND = 114


def face_crops(pack: runtime.Pack) -> list[np.ndarray]:
    """Square BGR crops around every face the pack's detector finds in the sample stills."""
    crops = []
    for name in FACE_STILLS:
        still = cv2.imread(str(samples.fetch(name)))
        found = runtime.detect_all(pack, still)
        for det in found:
            image = _only(still, det, found)
            x1, y1, x2, y2 = det.box
            side = MARGIN * max(x2 - x1, y2 - y1)
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            left, top = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
            right, bottom = int(min(image.shape[1], cx + side / 2)), int(min(image.shape[0], cy + side / 2))
            crops.append(image[top:bottom, left:right].copy())
    if not crops:
        raise RuntimeError("the detector found no face in the sample stills")
    return crops


def _only(image: np.ndarray, keep: runtime.Detection, found: tuple) -> np.ndarray:
    """The still with every other face painted over, so that a tile holds exactly one face."""
    out = image.copy()
    for det in found:
        if det is not keep:
            x1, y1, x2, y2 = (int(round(v)) for v in det.box)
            out[max(0, y1) : y2, max(0, x1) : x2] = BACKGROUND
    return out


def grid(n: int, width: int, height: int) -> tuple[int, int]:
    """(columns, rows) of near-square cells holding n tiles on a width x height canvas."""
    cols = max(1, min(n, math.ceil(math.sqrt(n * width / height))))
    return cols, math.ceil(n / cols)


def tiled_frame(crops: list[np.ndarray], n: int, size: tuple[int, int], t: int) -> np.ndarray:
    width, height = size
    canvas = np.full((height, width, 3), BACKGROUND, np.uint8)
    cols, rows = grid(n, width, height)
    cell_w, cell_h = width // cols, height // rows
    side = int(0.8 * min(cell_w, cell_h))
    for i in range(n):
        tile = cv2.resize(crops[i % len(crops)], (side, side), interpolation=cv2.INTER_AREA)
        dx = int(round(3 * math.sin(t / 5 + i)))
        dy = int(round(3 * math.cos(t / 7 + i)))
        x = (i % cols) * cell_w + (cell_w - side) // 2 + dx
        y = (i // cols) * cell_h + (cell_h - side) // 2 + dy
        x, y = min(max(x, 0), width - side), min(max(y, 0), height - side)
        canvas[y : y + side, x : x + side] = tile
    return canvas


def synthetic_video(crops: list[np.ndarray], n: int, size: tuple[int, int], frames: int, folder: Path) -> Path:
    """An MP4 of `frames` frames with n faces each, written once into folder (a scratch dir)."""
    path = folder / f"faces{n}-{size[0]}x{size[1]}.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 24.0, size)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write the scratch video {path}")
    try:
        for t in range(frames):
            writer.write(tiled_frame(crops, n, size, t))
    finally:
        writer.release()
    return path


def source_video(spec: str, crops: list[np.ndarray], size: tuple[int, int], frames: int, folder: Path) -> Path:
    """The video the stage breakdown and the end-to-end runs read."""
    if spec == "sample":
        return samples.fetch(SAMPLE_VIDEO)
    if spec == "synthetic":
        return synthetic_video(crops, 1, size, max(frames, 48), folder)
    return Path(spec).expanduser()
