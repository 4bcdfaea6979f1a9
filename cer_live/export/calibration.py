"""Faces for INT8 calibration and, kept apart from them, faces on which agreement is measured.

The faces are found and aligned by the runtime's own code: the pack's detector, then the
ensemble's Preprocessor, so the quantized members are calibrated on exactly the tensors
they will see at run time. Neighbouring frames of a video are nearly the same picture, so
the held-out faces are whole stretches of time (or whole photos) that calibration never saw,
not every n-th frame.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import QuantizeError
from ..faces.detect import RetinaFaceDetector
from ..messages import Detection, Frame
from ..models import backends
from ..models.backends import BackendOptions
from ..models.ensemble import Preprocessor
from ..models.packs import Pack
from ..sources import open_sources

MIN_CALIBRATION = 16
MIN_HELD_OUT = 8
HELD_OUT_EVERY = 4  # one stretch in four is held out
FRAME_STRIDE = 2  # every other frame of a video: neighbours add little


@dataclass(frozen=True)
class FaceId:
    source: int  # index in the media list
    frame: int
    face: int  # index among the frame's detections


@dataclass(frozen=True)
class FaceSet:
    ids: tuple[FaceId, ...]
    tensors: tuple[np.ndarray, ...]  # one (faces, C, H, W) float32 tensor per preprocessing group

    @property
    def sha256(self) -> str:
        """What the faces are, to the bit: the tensors the members were given, in order."""
        digest = hashlib.sha256()
        for tensor in self.tensors:
            digest.update(np.ascontiguousarray(tensor, dtype=np.float32).tobytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class FaceSets:
    calibration: FaceSet
    held_out: FaceSet
    preprocessor: Preprocessor
    media: tuple[str, ...]


def _frames(path: Path, stride: int) -> Iterator[Frame]:
    """Every `stride`-th frame, read by the runtime's own sources (same decoding, same errors)."""
    for source in open_sources(str(path)):
        for item in source.frames():
            if isinstance(item, Frame) and item.frame_id % stride == 0:
                yield item


def _detector(pack: Pack) -> RetinaFaceDetector:
    engine = backends.create("onnxruntime", pack.detector.model, BackendOptions(threads=2), label="detector")
    return RetinaFaceDetector(engine, pack.detector.config)


def _detect_all(pack: Pack, media: list[Path]) -> dict[FaceId, Detection]:
    """First pass: where the faces are; nothing but boxes is kept, so long videos cost no memory."""
    detector = _detector(pack)
    found: dict[FaceId, Detection] = {}
    for s, path in enumerate(media):
        for frame in _frames(path, FRAME_STRIDE):
            for f, det in enumerate(detector.detect([frame.image])[0]):
                found[FaceId(s, frame.frame_id, f)] = det
    return found


def _split(ids: list[FaceId], calibration: int) -> tuple[list[FaceId], list[FaceId]]:
    """Stretches of consecutive faces; every HELD_OUT_EVERY-th stretch is held out."""
    held_out_count = max(MIN_HELD_OUT, calibration // (HELD_OUT_EVERY - 1))
    spread = np.linspace(0, len(ids) - 1, min(len(ids), calibration + held_out_count)).round().astype(int)
    picked = [ids[i] for i in spread]
    picked = list(dict.fromkeys(picked))  # linspace repeats indices when faces are few
    stretch = max(1, len(picked) // (5 * HELD_OUT_EVERY))
    held = [face for i, face in enumerate(picked) if (i // stretch) % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    calib = [face for i, face in enumerate(picked) if (i // stretch) % HELD_OUT_EVERY != HELD_OUT_EVERY - 1]
    return calib, held


def _tensors(pre: Preprocessor, media: list[Path], wanted: list[FaceId], found: dict) -> tuple[np.ndarray, ...]:
    """Second pass: the chosen faces aligned and preprocessed as the ensemble does it."""
    by_frame: dict[tuple[int, int], list[FaceId]] = {}
    for face in wanted:
        by_frame.setdefault((face.source, face.frame), []).append(face)
    groups: list[list[np.ndarray]] = [[] for _ in pre.groups]
    order: list[FaceId] = []
    for s, path in enumerate(media):
        for frame in _frames(path, FRAME_STRIDE):
            faces = by_frame.get((s, frame.frame_id))
            if faces:
                for g, tensor in enumerate(pre.tensors(frame.image, tuple(found[f] for f in faces))):
                    groups[g].append(tensor)
                order.extend(faces)
    index = {face: i for i, face in enumerate(order)}
    rows = [index[face] for face in wanted]
    return tuple(np.concatenate(g)[rows] for g in groups)


def collect(pack: Pack, media: list[Path], calibration: int) -> FaceSets:
    """`calibration` faces (and a third as many held out) taken evenly from every medium."""
    missing = [str(p) for p in media if not p.exists()]
    if missing:
        raise QuantizeError(f"--calibration: {', '.join(missing)} not found; give videos or photos with faces")
    found = _detect_all(pack, media)
    calib, held = _split(list(found), calibration)
    if len(calib) < MIN_CALIBRATION or len(held) < MIN_HELD_OUT:
        raise QuantizeError(
            f"--calibration media hold {len(found)} detectable face(s) (every {FRAME_STRIDE}nd frame of a video); "
            f"need at least {MIN_CALIBRATION + MIN_HELD_OUT} to calibrate and check: give longer videos or more photos"
        )
    pre = Preprocessor(list(pack.members))
    both = _tensors(pre, media, calib + held, found)
    return FaceSets(
        calibration=FaceSet(tuple(calib), tuple(t[: len(calib)] for t in both)),
        held_out=FaceSet(tuple(held), tuple(t[len(calib) :] for t in both)),
        preprocessor=pre,
        media=tuple(p.name for p in media),
    )
