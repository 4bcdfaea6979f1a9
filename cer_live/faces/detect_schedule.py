"""Which detector calls a frame gets: the whole frame, regions around known faces, or both.

`full` runs the detector on the whole frame at the configured input size, every frame.
`auto` detects where the faces are: the detector's cost grows with the pixels it sees, and
most of a frame's pixels hold no face. Per frame it
- re-detects every known face in a square region around its last box, scaled so the face is
  about `region_face` pixels, all regions of the frame in one batched call (fresh boxes and
  landmarks every frame);
- scans the whole frame at full resolution every `full_every` frames, at a scene cut,
  whenever a region loses its face (the rescue scan replaces that frame's regions), and when
  the picture has changed since the last full scan away from every known face (a face
  popping up or sliding in); the last two at most once per `rescue_gap` frames, so a moving
  camera costs a bounded share;
- scans the whole frame at `low_size` in between, for large new faces: every `low_every`
  frames, and at once when the picture changed but a full scan must wait; a scan face that
  overlaps a known one is a duplicate and dropped.
Every face says which of these found it: "full", "region" or "scan_low".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..messages import Detection
from .regions import Region, crop, region_for
from .scene_cut import changed_away_from, difference, thumbnail
from .track import iou_matrix

MODES = ("auto", "full")
KINDS = ("full", "region", "scan_low")


class Detector(Protocol):
    mean_bgr: tuple[float, float, float]

    def detect(self, images: list[np.ndarray], long_side: int | None = None) -> list[tuple[Detection, ...]]: ...


@dataclass(frozen=True)
class DetectScheduleConfig:
    mode: str = "auto"
    full_every: int = 24  # frames between full-resolution scans of the whole frame (auto)
    full_size: int | None = None  # their input long side; None: the frame's own (auto), the pack's (full)
    low_size: int = 320  # input long side of the cheap scans for large new faces
    low_every: int = 6  # frames between cheap scans (sooner when the picture changes)
    region_size: int = 128  # side of the square crop the detector sees per known face
    region_face: float = 96.0  # face size in that crop (landmarks within about 5% of its height)
    region_max_scale: float = 2.0  # ...but a small face is enlarged at most this much
    match_iou: float = 0.3  # a region's detection continues its face when they overlap this much
    cut_threshold: float = 30.0  # thumbnail mean absolute difference (grey levels) that makes a cut
    change_threshold: float = 20.0  # a thumbnail cell changed this much away from known faces: new content
    change_margin: float = 1.0  # "away": outside each face box widened by this times its size per side
    rescue_gap: int = 4  # at most one rescue or change scan per this many frames; between, a lost face is kept
    max_missed: int = 2  # frames a face lost by its region is still searched there

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.full_every < 1 or self.low_every < 1 or self.region_size < 32:
            raise ValueError("full_every and low_every must be >= 1, region_size >= 32")


@dataclass(frozen=True)
class FrameDetections:
    """The faces of one frame, which detection found each, and what the detector did."""

    detections: tuple[Detection, ...]
    kinds: tuple[str, ...]
    cut: bool = False  # this frame starts a new scene: every earlier track is stale
    stage_ms: dict[str, float] = field(default_factory=dict)  # detect_<kind>: ms per call made


@dataclass
class _Known:
    box: tuple[float, float, float, float]
    missed: int = 0


class DetectionSchedule:
    """Per-source: called once per frame, in order, from one thread."""

    def __init__(self, config: DetectScheduleConfig) -> None:
        self.config = config
        self._last_thumb: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None
        self._full_thumb: np.ndarray | None = None  # the picture at the last full scan
        self._known: list[_Known] = []
        self._frame = 0
        self._last_full: int | None = None
        self._last_low = -(10**9)

    def detect(self, image: np.ndarray, detector: Detector) -> FrameDetections:
        timer = _Timer()
        if self.config.mode == "full":
            dets = timer.run("full", detector, [image], self.config.full_size)[0]
            return FrameDetections(dets, ("full",) * len(dets), False, timer.ms)
        frame, self._frame = self._frame, self._frame + 1
        cut, changed = self._changes(image)
        if cut:
            self._known = []
        since_full = frame - self._last_full if self._last_full is not None else None
        if cut or since_full is None or since_full >= self.config.full_every:
            return self._full(image, detector, frame, cut, timer)
        if changed and since_full >= self.config.rescue_gap:
            return self._full(image, detector, frame, cut, timer)
        dets, kinds, lost = self._regions(image, detector, timer)
        if lost and since_full >= self.config.rescue_gap:
            return self._full(image, detector, frame, cut, timer)
        if changed or frame - self._last_low >= self.config.low_every:
            self._last_low = frame
            for det in self._new_in_low_scan(image, detector, dets, timer):
                dets.append(det)
                kinds.append("scan_low")
                self._known.append(_Known(det.box))
        return FrameDetections(tuple(dets), tuple(kinds), cut, timer.ms)

    def _changes(self, image: np.ndarray) -> tuple[bool, bool]:
        """(a scene cut, new content away from the known faces) since the previous frame."""
        thumb = thumbnail(image)
        last, self._last_thumb = self._last_thumb, thumb
        shape, self._shape = self._shape, image.shape
        if shape is not None and shape != image.shape:
            return True, True  # a folder of images of other sizes: nothing carries over
        if last is None or self._full_thumb is None:
            return False, False
        if float(difference(thumb, last).mean()) > self.config.cut_threshold:
            return True, True
        # Against the last full scan, not the previous frame: a face that popped up while a
        # scan had to wait still shows, and so does one sliding in slowly.
        since_scan = difference(thumb, self._full_thumb)
        boxes = [k.box for k in self._known]
        cfg = self.config
        return False, changed_away_from(since_scan, boxes, image.shape[:2], cfg.change_threshold, cfg.change_margin)

    def _full(self, image: np.ndarray, detector: Detector, frame: int, cut: bool, timer: _Timer) -> FrameDetections:
        dets = timer.run("full", detector, [image], self.config.full_size or max(image.shape[:2]))[0]
        self._known = [_Known(d.box) for d in dets]
        self._last_full = frame
        self._full_thumb = self._last_thumb
        return FrameDetections(dets, ("full",) * len(dets), cut, timer.ms)

    def _regions(self, image: np.ndarray, detector: Detector, timer: _Timer) -> tuple[list[Detection], list[str], bool]:
        """Each known face re-detected in its region (one call); and whether any was lost."""
        cfg = self.config
        if not self._known:
            return [], [], False
        regions = [region_for(k.box, cfg.region_size, cfg.region_face, cfg.region_max_scale) for k in self._known]
        crops = [crop(image, r, cfg.region_size, detector.mean_bgr) for r in regions]
        found = timer.run("region", detector, crops, cfg.region_size)
        picked: list[Detection | None] = [
            _continuation(k.box, r, f, cfg.match_iou) for k, r, f in zip(self._known, regions, found, strict=False)
        ]
        keep = _dedupe([d for d in picked if d is not None])
        lost = False
        survivors = []
        for known, det in zip(self._known, picked, strict=False):
            if det is not None and det in keep:
                survivors.append(_Known(det.box))
            elif det is None:
                lost = True
                if known.missed < cfg.max_missed:
                    survivors.append(_Known(known.box, known.missed + 1))
        self._known = survivors
        return keep, ["region"] * len(keep), lost

    def _new_in_low_scan(
        self, image: np.ndarray, detector: Detector, dets: list[Detection], timer: _Timer
    ) -> list[Detection]:
        """Faces of a cheap whole-frame scan that no known face accounts for."""
        cfg = self.config
        scan = timer.run("scan_low", detector, [image], cfg.low_size)[0]
        if not scan:
            return []
        scale = min(1.0, cfg.low_size / max(image.shape[:2]))
        # A face under 16 input pixels is guesswork at this size; the full scans find it.
        scan = tuple(d for d in scan if (d.box[3] - d.box[1]) * scale >= 16)
        known = np.array([k.box for k in self._known] + [d.box for d in dets], np.float64).reshape(-1, 4)
        boxes = np.array([d.box for d in scan], np.float64).reshape(-1, 4)
        overlap = iou_matrix(boxes, known).max(axis=1) if len(known) else np.zeros(len(boxes))
        return [d for d, o in zip(scan, overlap, strict=False) if o < cfg.match_iou]


def _continuation(
    box: tuple[float, ...], region: Region, found: Sequence[Detection], min_iou: float
) -> Detection | None:
    """The region's detection that continues the known face: the best overlap with its last box."""
    if not found:
        return None
    mapped = [region.to_frame(d) for d in found]
    ious = iou_matrix(np.array([box], np.float64), np.array([d.box for d in mapped], np.float64))[0]
    best = int(np.argmax(ious))
    return mapped[best] if ious[best] >= min_iou else None


def _dedupe(dets: list[Detection], threshold: float = 0.5) -> list[Detection]:
    """Two known faces that converged on one face keep its best-scoring detection."""
    order = sorted(range(len(dets)), key=lambda i: -dets[i].score)
    boxes = np.array([d.box for d in dets], np.float64).reshape(-1, 4)
    kept: list[int] = []
    for i in order:
        if not kept or iou_matrix(boxes[i : i + 1], boxes[kept]).max() < threshold:
            kept.append(i)
    return [dets[i] for i in sorted(kept)]


class _Timer:
    """Detector calls, timed per kind (they land in the run's per-stage latency figures)."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    def run(
        self, kind: str, detector: Detector, images: list[np.ndarray], long_side: int | None
    ) -> list[tuple[Detection, ...]]:
        t0 = time.perf_counter()
        out = detector.detect(images, long_side)
        self.ms[f"detect_{kind}"] = self.ms.get(f"detect_{kind}", 0.0) + (time.perf_counter() - t0) * 1000
        return out
