"""The detector's settings: plain data that the pack manifest fills and the CLI may override."""

from __future__ import annotations

from dataclasses import dataclass

# Face front ends: RetinaFace (ONNX, from the pack), MediaPipe BlazeFace full or short range + FaceMesh.
DETECTORS = ("retinaface", "mediapipe", "mediapipe-short")


@dataclass(frozen=True)
class DetectorConfig:
    """Everything the detector needs, as read from the pack manifest (and CLI overrides)."""

    mean_bgr: tuple[float, float, float] = (104.0, 117.0, 123.0)
    steps: tuple[int, ...] = (8, 16, 32)
    min_sizes: tuple[tuple[int, ...], ...] = ((16, 32), (64, 128), (256, 512))
    variances: tuple[float, float] = (0.1, 0.2)
    input_long_side: int = 320  # the main speed lever: frames are scaled so the long side is this
    score_threshold: float = 0.7
    nms_threshold: float = 0.4
    top_k: int = 500
    min_face: float = 8.0  # in frame pixels; smaller boxes are noise at these input sizes
