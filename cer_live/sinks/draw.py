"""The overlay: boxes, track ids, the top compound label and small probability bars."""

from __future__ import annotations

import cv2
import numpy as np

from ..classes import BASIC_CLASSES, COMPOUND_CLASSES
from ..messages import FaceResult, FrameResult

FONT = cv2.FONT_HERSHEY_SIMPLEX
SHORT = ("FeaSu", "HapSu", "SadSu", "DisSu", "AngSu", "SadFe", "SadAn")  # bar captions
assert len(SHORT) == len(COMPOUND_CLASSES)

# One colour per track id, stable across frames; BGR.
_PALETTE = (
    (80, 200, 255),
    (255, 160, 60),
    (120, 230, 120),
    (200, 120, 255),
    (90, 90, 240),
    (230, 220, 90),
    (160, 160, 160),
)
FALLBACK_COLOUR = (150, 150, 150)


def track_colour(track_id: int) -> tuple[int, int, int]:
    return _PALETTE[track_id % len(_PALETTE)]


def _text(image: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int]) -> None:
    (tw, th), base = cv2.getTextSize(text, FONT, scale, 1)
    x, y = org
    cv2.rectangle(image, (x, y - th - base), (x + tw + 2, y + base // 2), (0, 0, 0), cv2.FILLED)
    cv2.putText(image, text, (x + 1, y - 1), FONT, scale, colour, 1, cv2.LINE_AA)


def draw_face(image: np.ndarray, face: FaceResult, scale: float) -> None:
    colour = FALLBACK_COLOUR if face.fallback else track_colour(face.track_id)
    x1, y1, x2, y2 = (int(round(v)) for v in face.detection.box)
    thickness = 1 if face.fallback else max(1, int(round(2 * scale)))
    cv2.rectangle(image, (x1, y1), (x2, y2), colour, thickness, cv2.LINE_AA)
    _, label, prob = face.smoothed.top
    tag = f"#{face.track_id} {label} {prob:.2f}"
    if face.smoothed.basic is not None:
        # The compound rule scores a plain smile as half "Happily Surprised"; the basic
        # label beside it shows what the member actually saw.
        basic = int(np.argmax(face.smoothed.basic))
        tag += f" | {BASIC_CLASSES[basic]} {float(face.smoothed.basic[basic]):.2f}"
    tag += " (held)" if face.fallback else ""
    _text(image, tag, (x1, max(y1 - 2, 12)), 0.45 * scale, colour)
    if face.detection.pose is not None:
        yaw, pitch, roll = face.detection.pose
        pose = f"yaw {yaw:+.0f} pitch {pitch:+.0f} roll {roll:+.0f}" + ("" if face.pose_ok else " turned away: not smoothed")
        _text(image, pose, (x1, min(y2 + int(14 * scale), image.shape[0] - 4)), 0.4 * scale, colour)
    _bars(image, face.smoothed.compound, (x2 + 4, y1), scale, colour)


def _bars(image: np.ndarray, probs: np.ndarray, origin: tuple[int, int], scale: float, colour: tuple[int, int, int]) -> None:
    """Seven horizontal bars beside the box; moved inside the frame when the box is near an edge."""
    row = max(8, int(round(10 * scale)))
    width = int(round(50 * scale))
    caption = int(round(38 * scale))
    h, w = image.shape[:2]
    x = origin[0] if origin[0] + caption + width < w else max(0, origin[0] - caption - width - 8)
    y = min(max(origin[1], 0), max(0, h - row * len(probs)))
    for i, (p, name) in enumerate(zip(probs, SHORT)):
        top = y + i * row
        cv2.putText(image, name, (x, top + row - 2), FONT, 0.3 * scale, (255, 255, 255), 1, cv2.LINE_AA)
        bx = x + caption
        cv2.rectangle(image, (bx, top + 1), (bx + width, top + row - 1), (40, 40, 40), cv2.FILLED)
        cv2.rectangle(image, (bx, top + 1), (bx + int(width * float(np.clip(p, 0, 1))), top + row - 1), colour, cv2.FILLED)


def draw(result: FrameResult, watermark: str) -> np.ndarray:
    """A copy of the frame with every face drawn and a watermark naming the producer."""
    image = result.frame.image.copy()
    scale = max(0.8, min(image.shape[:2]) / 480)
    for face in result.faces:
        draw_face(image, face, scale)
    _text(image, watermark, (4, image.shape[0] - 4), 0.4 * scale, (255, 255, 255))
    return image
