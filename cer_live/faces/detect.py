"""RetinaFace face detection through a project backend: resize, run, decode, NMS."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import cv2
import numpy as np

from ..errors import BackendError
from ..face_common.detector_config import DetectorConfig
from ..messages import Detection
from ..models import backends
from ..models.backends import Backend, BackendOptions
from .detectors import Capabilities, ModelRef
from .priors import decode_boxes, decode_landmarks, prior_boxes

log = logging.getLogger(__name__)


class RetinaFaceDetector:
    kind = "retinaface"
    capabilities = Capabilities(regions=True, mixed_sizes=True, landmarks=True, pose=False)

    def __init__(self, backend: Backend, config: DetectorConfig, models: tuple[ModelRef, ...] = ()) -> None:
        self._backend = backend
        self.config = config
        self.models = models
        self._mean = np.asarray(config.mean_bgr, np.float32)

    @property
    def mean_bgr(self) -> tuple[float, float, float]:
        """The colour the network sees as zero (what a crop's overhang is filled with)."""
        return self.config.mean_bgr

    def input_size(self, height: int, width: int, long_side: int | None = None) -> tuple[int, int]:
        """(height, width) the network sees for a frame of this size; never upscales."""
        scale = min(1.0, (long_side or self.config.input_long_side) / max(height, width))
        return max(16, round(height * scale)), max(16, round(width * scale))

    def prepare(self, images: list[np.ndarray], long_side: int | None = None) -> np.ndarray:
        """BGR uint8 frames of one size to the network's NCHW float32 batch."""
        h, w = self.input_size(*images[0].shape[:2], long_side)
        batch = np.empty((len(images), 3, h, w), np.float32)
        for i, image in enumerate(images):
            if image.shape[:2] != (h, w):
                image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
            batch[i] = (image.astype(np.float32) - self._mean).transpose(2, 0, 1)
        return batch

    def detect(self, images: list[np.ndarray], long_side: int | None = None) -> list[tuple[Detection, ...]]:
        """Faces per image, in its pixels; every image in one call must share a size.

        `long_side` overrides the configured input long side for this call (never upscales).
        """
        if not images:
            return []
        frame_h, frame_w = images[0].shape[:2]
        batch = self.prepare(images, long_side)
        loc, conf, landmarks = self._backend.infer(batch)
        return [
            self._decode(loc[i], conf[i], landmarks[i], batch.shape[2], batch.shape[3], frame_h, frame_w)
            for i in range(len(images))
        ]

    def detect_many(self, images: list[np.ndarray]) -> list[tuple[Detection, ...]]:
        """Faces per frame, for frames of any sizes, in one network call.

        Frames of one size take the plain path; mixed sizes are each scaled to fit one canvas
        (the largest input size among them), padded with the mean (zero after subtraction),
        and their boxes mapped back from the canvas to each frame."""
        if not images or all(image.shape[:2] == images[0].shape[:2] for image in images[1:]):
            return self.detect(images)
        sizes = [self.input_size(*image.shape[:2]) for image in images]
        canvas_h, canvas_w = max(h for h, _ in sizes), max(w for _, w in sizes)
        batch = np.zeros((len(images), 3, canvas_h, canvas_w), np.float32)
        for i, (image, (h, w)) in enumerate(zip(images, sizes, strict=False)):
            if image.shape[:2] != (h, w):
                image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
            batch[i, :, :h, :w] = (image.astype(np.float32) - self._mean).transpose(2, 0, 1)
        loc, conf, landmarks = self._backend.infer(batch)
        found = []
        for i, (image, (h, w)) in enumerate(zip(images, sizes, strict=False)):
            frame_h, frame_w = image.shape[:2]
            # Decoding scales unit coordinates by the "frame" size: the canvas in frame pixels.
            scale_y, scale_x = frame_h / h, frame_w / w
            found.append(
                self._decode(
                    loc[i],
                    conf[i],
                    landmarks[i],
                    canvas_h,
                    canvas_w,
                    canvas_h * scale_y,
                    canvas_w * scale_x,
                    (frame_w, frame_h),
                )
            )
        return found

    def _decode(
        self,
        loc: np.ndarray,
        conf: np.ndarray,
        landmarks: np.ndarray,
        in_h: int,
        in_w: int,
        frame_h: float,
        frame_w: float,
        clip: tuple[int, int] | None = None,
    ) -> tuple[Detection, ...]:
        cfg = self.config
        clip_w, clip_h = clip or (frame_w, frame_h)
        scores = conf[:, 1]
        keep = np.flatnonzero(scores > cfg.score_threshold)
        if keep.size == 0:
            return ()
        keep = keep[np.argsort(-scores[keep])[: cfg.top_k]]
        priors = prior_boxes(in_h, in_w, cfg.steps, cfg.min_sizes)[keep]
        scale = np.array([frame_w, frame_h], np.float32)
        boxes = decode_boxes(loc[keep], priors, cfg.variances) * np.tile(scale, 2)
        points = decode_landmarks(landmarks[keep], priors, cfg.variances) * scale
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, clip_w)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, clip_h)
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        chosen = cv2.dnn.NMSBoxes(xywh.tolist(), scores[keep].tolist(), cfg.score_threshold, cfg.nms_threshold)
        found = []
        for j in np.asarray(chosen, dtype=np.int64).reshape(-1):
            if min(xywh[j, 2], xywh[j, 3]) < cfg.min_face:
                continue
            found.append(
                Detection(
                    box=tuple(float(v) for v in boxes[j]),  # type: ignore[arg-type]
                    score=float(scores[keep][j]),
                    landmarks=tuple((float(x), float(y)) for x, y in points[j]),
                )
            )
        return tuple(found)


def retinaface_from_pack(pack: Any, engine_options: BackendOptions, config: DetectorConfig) -> RetinaFaceDetector:
    """The pack's RetinaFace model (checked against the pack's sha256 as it loads)."""
    model = ModelRef(getattr(pack.detector.model, "label", "detector.onnx"), pack.detector.sha256)
    return RetinaFaceDetector(_backend(pack, engine_options), config, (model,))


def _backend(pack: Any, engine_options: BackendOptions) -> Backend:
    """The detector takes any frame size, which fixed-profile engines cannot; ONNX Runtime
    (CPU or CUDA) runs it whatever backend the members use, and always in fp32."""
    options = replace(engine_options, precision="fp32")
    try:
        return backends.create("onnxruntime", pack.detector.model, options, label="detector")
    except BackendError as exc:
        if not options.device.startswith("cuda"):
            raise
        # Members on TensorRT or torch need no onnxruntime-gpu; the small detector runs well on the CPU.
        log.warning("detector on the CPU: %s", exc)
        return backends.create("onnxruntime", pack.detector.model, replace(options, device="cpu"), label="detector")
