"""Aligned crops on disk: exactly the bytes sent to Claude, kept for training.

A crop that already exists is reused as it is, never rewritten, so its sha256 (the store's
key) always matches the file training will read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ...atomic import write_bytes
from .errors import LabelError

JPEG_QUALITY = 95
CROPS = "crops"


@dataclass(frozen=True)
class Crop:
    rel: str  # path relative to the output folder, with forward slashes
    path: Path
    sha256: str
    width: int
    height: int


def crop_rel(video: str, frame: int) -> str:
    return f"{CROPS}/{video}/{frame:06d}.jpg"


def existing(out_dir: Path, video: str, frame: int) -> Crop | None:
    rel = crop_rel(video, frame)
    path = out_dir / rel
    if not path.is_file():
        return None
    data = path.read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise LabelError(f"crop '{path}' is unreadable; delete it and rerun to remake it")
    return Crop(rel, path, hashlib.sha256(data).hexdigest(), image.shape[1], image.shape[0])


def save(out_dir: Path, video: str, frame: int, image: np.ndarray) -> Crop:
    found = existing(out_dir, video, frame)
    if found is not None:
        return found
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise LabelError(f"could not encode the crop of {video} frame {frame} as JPEG")
    data = encoded.tobytes()
    rel = crop_rel(video, frame)
    path = out_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, data)  # a crop on disk is always whole
    return Crop(rel, path, hashlib.sha256(data).hexdigest(), image.shape[1], image.shape[0])
