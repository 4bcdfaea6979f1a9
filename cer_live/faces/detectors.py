"""The face front ends, by name: each says what it can do and which model files it runs.

A run picks one by name (`--detector`, else the pack's `detector.kind`); nothing else in the
runtime asks which class it got: the analyser reads `capabilities`, the outputs read `models`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..face_common.detector_config import DETECTORS, DetectorConfig
from ..messages import Detection


@dataclass(frozen=True)
class Capabilities:
    regions: bool  # takes any input size, so known faces can be re-detected in small crops
    mixed_sizes: bool  # one call may hold frames of different sizes (`detect_many`)
    landmarks: bool  # five alignment points per face
    pose: bool  # head pose per face


@dataclass(frozen=True)
class ModelRef:
    """A model file a front end runs, as checked against its sha256 when loaded."""

    name: str
    sha256: str


class FaceDetector(Protocol):
    kind: str
    capabilities: Capabilities
    models: tuple[ModelRef, ...]
    config: DetectorConfig  # what a run records of it (input size, thresholds)
    mean_bgr: tuple[float, float, float]  # the colour its input sees as zero

    def detect(self, images: list[np.ndarray], long_side: int | None = None) -> list[tuple[Detection, ...]]:
        """Faces per image; the images of one call share a size."""

    def detect_many(self, images: list[np.ndarray]) -> list[tuple[Detection, ...]]:
        """Faces per image, for images of any sizes, at the configured input size."""


@dataclass(frozen=True)
class DetectorNeeds:
    """What a factory may use: the pack's detector model and settings, and the engine options."""

    pack: Any  # models.packs.Pack (not imported: faces sits below models' pack loading)
    config: DetectorConfig
    engine_options: Any  # models.backends.BackendOptions
    threads: int


def _retinaface(needs: DetectorNeeds) -> FaceDetector:
    from .detect import retinaface_from_pack

    return retinaface_from_pack(needs.pack, needs.engine_options, needs.config)


def _mediapipe(range_: str) -> Callable[[DetectorNeeds], FaceDetector]:
    def make(needs: DetectorNeeds) -> FaceDetector:
        from .mediapipe_detect import MediaPipeDetector  # LiteRT only when asked for

        return MediaPipeDetector(range_, needs.threads, needs.config.min_face)

    return make


REGISTRY: dict[str, Callable[[DetectorNeeds], FaceDetector]] = {
    "retinaface": _retinaface,
    "mediapipe": _mediapipe("full"),
    "mediapipe-short": _mediapipe("short"),
}
assert tuple(REGISTRY) == DETECTORS


def make_detector(kind: str, needs: DetectorNeeds) -> FaceDetector:
    try:
        factory = REGISTRY[kind]
    except KeyError:
        raise ValueError(f"unknown detector '{kind}'; choose one of: {', '.join(REGISTRY)}") from None
    return factory(needs)


def identity(detector: FaceDetector) -> dict[str, Any]:
    """What the outputs record of the front end that ran: its name and every model's hash."""
    return {"kind": detector.kind, "models": [{"name": m.name, "sha256": m.sha256} for m in detector.models]}
