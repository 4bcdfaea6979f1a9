"""The one adapter onto the runtime: its sources, detector, alignment, protagonist rule and ensemble.

Nothing else under `cer_live/offline/label` imports runtime modules, so a move of the
runtime's files is fixed here alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ...faces.align import align
from ...faces.detect import RetinaFaceDetector
from ...faces.templates import ARCFACE_TEMPLATE, loosen
from ...faces.track import protagonist_index
from ...messages import Frame
from ...models import backends
from ...models.backends import BackendOptions
from ...models.ensemble import Ensemble
from ...models.packs import Pack, load_pack
from ...sources import open_sources
from ...sources.images import ImageSequenceSource
from .errors import LabelError


@dataclass(frozen=True)
class CropSpec:
    """How faces are aligned for Claude and, later, for training (the export's defaults)."""

    size: int = 224
    scale: float = 1.0
    shift_y: float = 0.0

    def template(self) -> np.ndarray:
        return loosen(ARCFACE_TEMPLATE, self.scale, self.shift_y)


@dataclass(frozen=True)
class VideoInput:
    name: str  # unique stem: the `source` column and the crops sub-folder
    label: str  # what logs show
    expected_frames: int | None
    spec: str  # the SOURCE argument it came from
    index: int  # its place among the sources that argument opens
    source: Any  # the runtime's FrameSource, read once


def open_inputs(specs: list[str]) -> list[VideoInput]:
    """Every SOURCE opened now, so a bad one fails before any output is written."""
    found: list[tuple[str, int, Any]] = []
    for spec in specs:
        for index, source in enumerate(open_sources(spec, [])):
            if source.live:
                raise LabelError(f"'{spec}' is a live source; label video files, images or folders of them")
            found.extend(_photos(source) if source.independent and len(source.files) > 1 else [(spec, index, source)])
    seen: dict[str, int] = {}
    inputs = []
    for spec, index, source in found:
        seen[source.name] = seen.get(source.name, 0) + 1
        name = source.name if seen[source.name] == 1 else f"{source.name}-{seen[source.name]}"
        inputs.append(VideoInput(name, source.label, source.expected_frames, spec, index, source))
    return inputs


def _photos(folder: Any) -> list[tuple[str, int, Any]]:
    """A folder of unrelated photos is many pictures, not one video: each is its own input, so that
    --every and --max-per-video count frames of videos, and crops are named after the photo."""
    folder.close()
    return [(str(path), 0, ImageSequenceSource([path], f"{folder.name}/{path.stem}")) for path in folder.files]


def frames(video: VideoInput) -> Iterator[tuple[int, np.ndarray]]:
    """(frame index, BGR image) of every decoded frame, through the runtime's own reader."""
    for item in video.source.frames():
        if isinstance(item, Frame):
            yield item.frame_id, item.image


def reopen(video: VideoInput) -> VideoInput:
    """A fresh reader for a second pass over the same file."""
    video.source.close()
    return replace(video, source=open_sources(video.spec, [])[video.index])


class FaceFinder:
    """The pack's detector, on the CPU with onnxruntime as the runtime runs it, and the protagonist rule."""

    def __init__(self, pack: Pack, det_size: int | None, threads: int) -> None:
        config = pack.detector.config if det_size is None else replace(pack.detector.config, input_long_side=det_size)
        engine = backends.create("onnxruntime", pack.detector.model, BackendOptions(threads=threads), label="detector")
        self.detector = RetinaFaceDetector(engine, config)
        self.config = config

    def protagonist(self, image: np.ndarray) -> Any | None:
        detections = self.detector.detect([image])[0]
        index = protagonist_index(detections)
        return None if index is None else detections[index]


def crop(image: np.ndarray, detection: Any, spec: CropSpec) -> np.ndarray:
    return align(image, (detection,), spec.template(), (spec.size, spec.size))[0]


class Scorer:
    """The pack's ensemble on one face: fused probabilities (7,) and each member's (members, 7)."""

    def __init__(self, pack: Pack, threads: int) -> None:
        self.ensemble = Ensemble(pack, "onnxruntime", BackendOptions(threads=threads))

    def score(self, image: np.ndarray, detection: Any) -> tuple[np.ndarray, np.ndarray]:
        (face,), _ = self.ensemble.score(image, (detection,))
        members = face.member_compound if face.member_compound is not None else face.compound[None, :]
        return np.asarray(face.compound, np.float64), np.asarray(members, np.float64)

    def close(self) -> None:
        self.ensemble.close()


def pack(name: str) -> Pack:
    return load_pack(name)


def detector_digest(p: Pack) -> str:
    return p.detector.sha256
