"""A test video made of real faces: several sizes, moving, entering and leaving, one scene cut.

    build_scene(path, width=1280, height=720, frames=240)

Faces come from the sample media (multi_face.jpg, single_face.jpg, four portrait stills and
the moving face of WolfgangLanger_Pexels.mp4), scaled to 40-150 px tall on a 1280x720
layout (positions scale with the frame; heights scale with `face_scale`), pasted with a
soft elliptical edge on a smooth random background. Scene 1 has faces that pop in, slide in
from an edge, leave and slide out; at `cut` the background changes and a different person
stands where the largest face stood (so a track carried across the cut would be stale);
at 3/4 of the video six faces enter at once (the worst case).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from cer_live import samples
from cer_live.faces.detect import RetinaFaceDetector
from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.packs import load_pack
from cer_live.sources.images import read_image

STILLS = (
    "multi_face.jpg",
    "single_face.jpg",
    "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg",
    "15-f13-anc-ph.jpg",
    "45-m7-di-ph.jpg",
)
VIDEO = "WolfgangLanger_Pexels.mp4"


@dataclass(frozen=True)
class FaceSpec:
    face: int  # index into the face library (0 = the video's moving face)
    height: float  # face box height in pixels on the 1280x720 layout
    x: float  # centre on the 1280x720 layout at t_in
    y: float
    t_in: float  # fraction of the video where it appears
    t_out: float  # ...and disappears
    vx: float = 0.0  # layout pixels per frame
    vy: float = 0.0


def layout() -> tuple[FaceSpec, ...]:
    """Scene 1 in [0, 0.5), scene 2 in [0.5, 1); six faces enter together at 0.75."""
    return (
        FaceSpec(0, 150, 250, 260, 0.0, 0.5),
        FaceSpec(1, 40, 900, 120, 0.0, 0.5),
        FaceSpec(2, 60, 1050, 520, 0.0, 0.5),
        FaceSpec(6, 90, 620, 470, 0.125, 0.5),  # pops in
        FaceSpec(7, 72, -30, 560, 0.17, 0.5, vx=4.0),  # slides in from the left edge
        FaceSpec(3, 48, 420, 90, 0.0, 0.33),  # leaves
        FaceSpec(8, 110, 1130, 300, 0.25, 0.5, vx=3.0),  # slides out of the right edge
        FaceSpec(9, 140, 250, 260, 0.5, 1.0),  # another person where the largest face was
        FaceSpec(0, 120, 900, 330, 0.5, 1.0),
        FaceSpec(4, 44, 640, 100, 0.5, 1.0),
        FaceSpec(5, 40, 80, 620, 0.75, 1.0),
        FaceSpec(11, 56, 470, 560, 0.75, 1.0),
        FaceSpec(1, 64, 1180, 110, 0.75, 1.0),
        FaceSpec(6, 80, 700, 620, 0.75, 1.0),
        FaceSpec(7, 100, 1150, 590, 0.75, 1.0),
        FaceSpec(8, 150, 480, 280, 0.75, 1.0),
    )


@dataclass(frozen=True)
class _Face:
    image: np.ndarray  # source image (or None for the video face, taken per frame)
    box: tuple[float, float, float, float]


def _detector() -> RetinaFaceDetector:
    pack = load_pack("default")
    backend = backends.create("onnxruntime", pack.detector.model, BackendOptions(threads=2), label="detector")
    return RetinaFaceDetector(backend, pack.detector.config)


def _library(frames: int) -> tuple[list[_Face], list[np.ndarray]]:
    """Still faces (largest first within each image) and the video's frames with its face box."""
    detector = _detector()
    faces: list[_Face] = []
    for name in STILLS:
        image = read_image(samples.fetch(name))
        found = detector.detect([image], long_side=max(image.shape[:2]))[0]
        for det in sorted(found, key=lambda d: -d.area):
            faces.append(_Face(image, det.box))
    capture = cv2.VideoCapture(str(samples.fetch(VIDEO)))
    video: list[np.ndarray] = []
    while len(video) < frames:
        ok, frame = capture.read()
        if not ok:
            break
        video.append(frame)
    capture.release()
    first = detector.detect([video[0]], long_side=max(video[0].shape[:2]))[0][0]
    return [_Face(video[0], first.box), *faces], video


def _background(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(30, 225, (6, 10, 3)).astype(np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _paste(
    canvas: np.ndarray, source: np.ndarray, box: tuple[float, ...], centre: tuple[float, float], height: float
) -> None:
    """Source face scaled to `height`, centred at `centre`, blended through a soft ellipse."""
    x1, y1, x2, y2 = box
    scale = height / (y2 - y1)
    side = int(math.ceil(height * 2.0))
    src_c = ((x1 + x2) / 2, (y1 + y2) / 2)
    matrix = np.float32([[scale, 0, side / 2 - src_c[0] * scale], [0, scale, side / 2 - src_c[1] * scale]])
    patch = cv2.warpAffine(
        source,
        matrix,
        (side, side),
        flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    mask = np.zeros((side, side), np.float32)
    cv2.ellipse(mask, (side // 2, side // 2), (int(height * 0.62), int(height * 0.78)), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, height * 0.06))[..., None]
    left, top = int(round(centre[0] - side / 2)), int(round(centre[1] - side / 2))
    h, w = canvas.shape[:2]
    cx1, cy1, cx2, cy2 = max(0, left), max(0, top), min(w, left + side), min(h, top + side)
    if cx1 >= cx2 or cy1 >= cy2:
        return
    roi = canvas[cy1:cy2, cx1:cx2].astype(np.float32)
    p = patch[cy1 - top : cy2 - top, cx1 - left : cx2 - left].astype(np.float32)
    m = mask[cy1 - top : cy2 - top, cx1 - left : cx2 - left]
    canvas[cy1:cy2, cx1:cx2] = (roi * (1 - m) + p * m).astype(np.uint8)


def render(specs: tuple[FaceSpec, ...], width: int, height: int, frames: int, face_scale: float = 1.0):
    """Frames (BGR uint8), one at a time."""
    library, video = _library(frames)
    sx, sy = width / 1280, height / 720
    backgrounds = (_background(width, height, 1), _background(width, height, 2))
    for t in range(frames):
        u = t / frames
        canvas = backgrounds[0 if u < 0.5 else 1].copy()
        for k, spec in enumerate(specs):
            if not spec.t_in <= u < spec.t_out:
                continue
            age = t - spec.t_in * frames
            wobble = 2 * math.pi * t / 48 + k
            cx = (spec.x + spec.vx * age + 4 * math.sin(wobble)) * sx
            cy = (spec.y + spec.vy * age + 3 * math.cos(wobble)) * sy
            face = library[spec.face % len(library)]
            source = video[t % len(video)] if spec.face == 0 else face.image
            h = spec.height * face_scale * (1 + 0.04 * math.sin(wobble / 2))
            _paste(canvas, source, face.box, (cx, cy), h)
        yield canvas


def build_scene(
    path: Path, width: int = 1280, height: int = 720, frames: int = 240, face_scale: float = 1.0, fps: float = 24.0
) -> Path:
    """Writes the scene as an MP4 (OpenCV's mp4v) and returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}")
    try:
        for frame in render(layout(), width, height, frames, face_scale):
            writer.write(frame)
    finally:
        writer.release()
    return path


@dataclass(frozen=True)
class Agreement:
    reference_rows: int  # face rows of the reference run (detected, not borrowed)
    kept: int  # of those, rows the other run has too (box IoU >= 0.5, same frame)
    extra: int  # rows of the other run that match no reference row
    landmark_px_p50: float  # landmark distance of matched rows (largest of the five points)
    landmark_px_p95: float
    landmark_rel_p95: float  # the same over the face's height

    @property
    def kept_share(self) -> float:
        return self.kept / self.reference_rows if self.reference_rows else 1.0


def face_rows(records: list[dict]) -> dict[int, list[dict]]:
    """Detected (not borrowed) face rows of a JSONL file, by frame."""
    out: dict[int, list[dict]] = {}
    for r in records:
        if r.get("type") == "face" and not r["fallback"]:
            out.setdefault(r["frame"], []).append(r)
    return out


def agreement(reference: dict[int, list[dict]], other: dict[int, list[dict]], min_iou: float = 0.5) -> Agreement:
    """How many of the reference's face rows the other run keeps, and how close its landmarks are."""
    from cer_live.faces.track import iou_matrix

    total = kept = extra = 0
    dists: list[float] = []
    rel: list[float] = []
    for frame in sorted(set(reference) | set(other)):
        ref, oth = reference.get(frame, []), other.get(frame, [])
        total += len(ref)
        iou = iou_matrix(
            np.array([r["box"] for r in ref], float).reshape(-1, 4),
            np.array([o["box"] for o in oth], float).reshape(-1, 4),
        )
        used: set[int] = set()
        for i in np.argsort(-iou.max(axis=1)) if iou.size else []:
            j = int(np.argmax(np.where([k in used for k in range(len(oth))], -1, iou[i])))
            if iou[i, j] < min_iou or j in used:
                continue
            used.add(j)
            kept += 1
            d = float(np.linalg.norm(np.array(ref[i]["landmarks"]) - np.array(oth[j]["landmarks"]), axis=1).max())
            dists.append(d)
            rel.append(d / max(1.0, ref[i]["box"][3] - ref[i]["box"][1]))
        extra += len(oth) - len(used)

    def p(v: list[float], q: float) -> float:
        return float(np.percentile(v, q)) if v else 0.0

    return Agreement(total, kept, extra, round(p(dists, 50), 2), round(p(dists, 95), 2), round(p(rel, 95), 4))
