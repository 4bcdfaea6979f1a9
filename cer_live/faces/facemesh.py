"""FaceMesh (MediaPipe face landmarks) around one BlazeFace detection: the rotated crop,
the 468 landmarks back in frame pixels, and the five alignment points they give.

The crop follows MediaPipe's own detection-to-ROI rule: centred on the box, a square 1.5
times its long side, turned so that the eyes are level.
"""

from __future__ import annotations

import cv2
import numpy as np

SIDE = 192  # the landmark model's square input
ROI_SCALE = 1.5
MESH_POINTS = 468
# Mesh indices (MediaPipe's canonical numbering): eye corners, nose tip, mouth corners,
# forehead top and chin. "Right" is the subject's right, the image's left in a frontal view.
RIGHT_EYE = (33, 133)
LEFT_EYE = (362, 263)
NOSE_TIP = 1
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
FOREHEAD, CHIN = 10, 152
EYE_OUTER_RIGHT, EYE_OUTER_LEFT = 33, 263


def roi_transform(box: np.ndarray, right_eye: np.ndarray, left_eye: np.ndarray) -> tuple[np.ndarray, float]:
    """2x3 affine taking crop pixels to frame pixels, and the crop's scale (frame px per crop px)."""
    centre = (box[:2] + box[2:]) / 2
    size = ROI_SCALE * float(max(box[2] - box[0], box[3] - box[1]))
    dx, dy = left_eye - right_eye
    angle = float(np.arctan2(dy, dx))
    scale = size / SIDE
    u = scale * np.array([np.cos(angle), np.sin(angle)])
    v = scale * np.array([-np.sin(angle), np.cos(angle)])
    origin = centre - (SIDE / 2) * (u + v)
    return np.stack([u, v, origin], axis=1).astype(np.float64), scale


def crop(image_rgb: np.ndarray, to_frame: np.ndarray) -> np.ndarray:
    """The (1, 192, 192, 3) float32 input in [0, 1]; outside the frame is black."""
    to_crop = cv2.invertAffineTransform(to_frame)
    patch = cv2.warpAffine(image_rgb, to_crop, (SIDE, SIDE), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    return (patch.astype(np.float32) / 255.0)[None]


def to_frame_points(raw: np.ndarray, to_frame: np.ndarray, scale: float) -> np.ndarray:
    """(468, 3) landmarks in frame pixels; z is depth in the same pixel units (larger: further)."""
    mesh = raw.reshape(MESH_POINTS, 3).astype(np.float64)
    xy = mesh[:, :2] @ to_frame[:, :2].T + to_frame[:, 2]
    return np.concatenate([xy, mesh[:, 2:] * scale], axis=1)


def five_points(mesh: np.ndarray) -> np.ndarray:
    """The ArcFace order: right eye, left eye, nose tip, right mouth corner, left mouth corner."""
    return np.stack(
        [
            mesh[list(RIGHT_EYE), :2].mean(axis=0),
            mesh[list(LEFT_EYE), :2].mean(axis=0),
            mesh[NOSE_TIP, :2],
            mesh[MOUTH_RIGHT, :2],
            mesh[MOUTH_LEFT, :2],
        ]
    )
