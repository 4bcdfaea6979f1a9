"""MediaPipe face front end: BlazeFace finds faces, FaceMesh places 468 landmarks on each,
and those give the five alignment points and the head pose.

The models are the .tflite files of the mediapipe 0.10.21 wheel (Apache-2.0), run by
LiteRT (`ai-edge-litert`), which works with numpy 2; mediapipe itself pins numpy < 2.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import cv2
import numpy as np

from .. import samples
from ..errors import BackendError
from ..face_common.detector_config import DetectorConfig
from ..install import install_hint
from ..messages import Detection
from ..sources.quiet import native_stderr_silenced
from . import blazeface, facemesh
from .detectors import Capabilities, ModelRef
from .head_pose import head_pose

log = logging.getLogger(__name__)

MESH_MODEL = "face_landmark.tflite"
MESH_PRESENCE = 0.5  # MediaPipe's own threshold on the landmark model's face-presence score
NMS_IOU = 0.3  # MediaPipe's suppression threshold for BlazeFace
# The files of the mediapipe 0.10.21 wheel, by sha256: a model is run only when its bytes match.
SHA256 = {
    "face_detection_short_range.tflite": "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    "face_detection_full_range_sparse.tflite": "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
    MESH_MODEL: "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
}


def _litert() -> type:
    """LiteRT's Interpreter class, checked before any model file is fetched."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise BackendError(
            f"the mediapipe detector needs LiteRT (ai-edge-litert), which is not installed; run: {install_hint('mediapipe')}"
        ) from exc
    return Interpreter


def _checked(path: Path) -> bytes:
    """The model's bytes, only when they are the pinned ones (a changed file never runs)."""
    data = path.read_bytes()
    actual, expected = hashlib.sha256(data).hexdigest(), SHA256[path.name]
    if actual != expected:
        raise BackendError(
            f"'{path}' has sha256 {actual[:12]}..., not the pinned {expected[:12]}...; delete it to fetch it again"
        )
    return data


def _interpreter(path: Path, threads: int):  # -> ai_edge_litert.interpreter.Interpreter
    Interpreter = _litert()
    data = _checked(path)
    try:
        # LiteRT prints 'INFO: Created TensorFlow Lite XNNPACK delegate' on native stderr for every model.
        with native_stderr_silenced():
            interpreter = Interpreter(model_content=data, num_threads=threads)
            interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise BackendError(f"cannot load {path} ({exc}); delete it to fetch it again") from exc
    return interpreter


class _Model:
    """One LiteRT model with a single input, outputs in a fixed order."""

    def __init__(self, path: Path, threads: int, outputs: int) -> None:
        self._it = _interpreter(path, threads)
        self._input = self._it.get_input_details()[0]["index"]
        # Output tensors are ordered by size, largest first: regressors before scores.
        details = sorted(self._it.get_output_details(), key=lambda d: -int(np.prod(d["shape"])))
        self._outputs = [d["index"] for d in details[:outputs]]

    def __call__(self, batch: np.ndarray) -> list[np.ndarray]:
        self._it.set_tensor(self._input, batch)
        self._it.invoke()
        return [self._it.get_tensor(i) for i in self._outputs]


class MediaPipeDetector:
    """Same interface as `RetinaFaceDetector`: `detect(images)` -> faces per frame, with head pose."""

    # Fixed input sizes: no re-detection in small regions; each frame runs alone, whatever its size.
    capabilities = Capabilities(regions=False, mixed_sizes=True, landmarks=True, pose=True)
    mean_bgr = (127.5, 127.5, 127.5)  # the grey its input scaling maps to zero

    def __init__(self, range_: str = "full", threads: int = 2, min_face: float = 8.0) -> None:
        if range_ not in blazeface.RANGES:
            raise BackendError(f"unknown BlazeFace range '{range_}'; choose one of: {', '.join(blazeface.RANGES)}")
        _litert()
        self.spec = blazeface.RANGES[range_]
        self.min_face = min_face
        # What a run records about its detector (input side, thresholds), in the shared shape.
        self.config = DetectorConfig(
            input_long_side=self.spec.side,
            score_threshold=self.spec.score_threshold,
            nms_threshold=NMS_IOU,
            min_face=min_face,
        )
        self.kind = "mediapipe" if range_ == "full" else f"mediapipe-{range_}"
        self.models = (ModelRef(self.spec.model, SHA256[self.spec.model]), ModelRef(MESH_MODEL, SHA256[MESH_MODEL]))
        self._detector = _Model(samples.fetch(self.spec.model), threads, 2)
        self._mesh = _Model(samples.fetch(MESH_MODEL), threads, 2)

    def input_size(self, height: int, width: int) -> tuple[int, int]:
        return self.spec.side, self.spec.side

    def detect(self, images: list[np.ndarray], long_side: int | None = None) -> list[tuple[Detection, ...]]:
        """Faces per frame; each frame runs on its own (the models take one image at a time).
        `long_side` is ignored: BlazeFace and FaceMesh have fixed input sizes."""
        return [self._detect_one(image) for image in images]

    def detect_many(self, images: list[np.ndarray]) -> list[tuple[Detection, ...]]:
        return self.detect(images)

    def _detect_one(self, image: np.ndarray) -> tuple[Detection, ...]:
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        boxes, scores, points = self._faces(rgb)
        found = []
        for box, score, kp in zip(boxes, scores, points, strict=False):
            mesh = self._landmarks(rgb, box, kp[0], kp[1])
            if mesh is None:
                continue
            found.append(
                Detection(
                    box=tuple(float(v) for v in box),  # type: ignore[arg-type]
                    score=float(score),
                    landmarks=tuple((float(x), float(y)) for x, y in facemesh.five_points(mesh)),
                    pose=head_pose(mesh),
                )
            )
        return tuple(found)

    def _faces(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """BlazeFace on the frame letterboxed into its square input; results in frame pixels."""
        h, w = rgb.shape[:2]
        side = self.spec.side
        s = side / max(h, w)
        tx, ty = (side - w * s) / 2, (side - h * s) / 2
        square = cv2.warpAffine(rgb, np.float32([[s, 0, tx], [0, s, ty]]), (side, side), flags=cv2.INTER_AREA)
        raw, logits = self._detector((square.astype(np.float32) / 127.5 - 1.0)[None])
        boxes, scores, points = blazeface.decode(raw[0], logits[0], self.spec)
        boxes = (boxes * side - np.array([tx, ty, tx, ty])) / s
        points = (points * side - np.array([tx, ty])) / s
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
        xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
        keep = np.asarray(
            cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), self.spec.score_threshold, NMS_IOU), np.int64
        ).reshape(-1)
        keep = keep[np.minimum(xywh[keep, 2], xywh[keep, 3]) >= self.min_face]
        return boxes[keep], scores[keep], points[keep]

    def _landmarks(
        self, rgb: np.ndarray, box: np.ndarray, right_eye: np.ndarray, left_eye: np.ndarray
    ) -> np.ndarray | None:
        """(468, 3) mesh in frame pixels, or None when the landmark model sees no face there."""
        to_frame, scale = facemesh.roi_transform(box, right_eye, left_eye)
        raw, presence = self._mesh(facemesh.crop(rgb, to_frame))
        if 1.0 / (1.0 + np.exp(-float(presence.reshape(-1)[0]))) < MESH_PRESENCE:
            return None
        return facemesh.to_frame_points(raw, to_frame, scale)
