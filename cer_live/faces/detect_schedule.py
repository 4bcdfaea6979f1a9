"""Which detector calls a frame gets: the whole frame, regions around known faces, or both.

`full` runs the detector on the whole frame at the configured input size, every frame.
`auto` detects where the faces are: the detector's cost grows with the pixels it sees, and
most of a frame's pixels hold no face. Per frame it
- re-detects known faces in square regions around their last boxes, scaled so the face is
  about `region_face` pixels, all regions of the frame in one batched call: every known face
  while there are at most `regions_per_frame`, else that many, the longest waiting and
  fastest moving first; the others are predicted from their motion (see follow.py);
- scans the whole frame at full resolution every `full_every` frames, at a scene cut, and
  when a region loses its face (the rescue scan replaces that frame's regions; at most once
  per `rescue_gap` frames, so that faces leaving cost a bounded share);
- scans, at full resolution, only the areas where the picture has changed since the last scan
  away from every known face (a face popping up or sliding in; with a moving camera, what the
  camera brings into view: see change_watch.py), at most once per `rescue_gap` frames; the
  whole frame when those areas cover more than `area_max` of it;
- scans the whole frame at `low_size` in between, for large new faces: every `low_every`
  frames, and at once when a large change must wait for its scan; a scan face that overlaps a
  known one is a duplicate and dropped.
Every face says which of these found it: "full", "region", "scan_area", "scan_low", or "predicted".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..messages import Detection
from .change_watch import Changes, ChangeWatch
from .follow import Followed, due, inside
from .regions import Region, crop, region_for
from .track import iou_matrix

MODES = ("auto", "full")
KINDS = ("full", "region", "scan_area", "scan_low", "predicted")


class Detector(Protocol):
    mean_bgr: tuple[float, float, float]

    def detect(self, images: list[np.ndarray], long_side: int | None = None) -> list[tuple[Detection, ...]]: ...


@dataclass(frozen=True)
class DetectRequest:
    """One detector call a source's schedule asks for: images of one size, at one input size.

    The analyser may serve the requests of several sources in one call (see analyser.py)."""

    kind: str  # full, region or scan_low: what the call is for, and the name of its timing
    images: tuple[np.ndarray, ...]
    long_side: int | None  # the detector's input long side; None: its configured one
    # May share a call with frames of other sizes (each scaled to fit one padded canvas), as
    # `full` detection always has; auto's calls stay exact, each as its own call would answer.
    mixed_sizes: bool = False


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
    area_max: float = 0.4  # changed areas covering more of the frame than this: the whole frame is scanned
    max_missed: int = 2  # frames a face lost by its region is still searched there
    regions_per_frame: int = 2  # faces re-detected per frame at most (0: all); the others are predicted

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.full_every < 1 or self.low_every < 1 or self.region_size < 32 or self.regions_per_frame < 0:
            raise ValueError("full_every and low_every must be >= 1, region_size >= 32, regions_per_frame >= 0")


@dataclass(frozen=True)
class FrameDetections:
    """The faces of one frame, which detection found each, and what the detector did."""

    detections: tuple[Detection, ...]
    kinds: tuple[str, ...]
    cut: bool = False  # this frame starts a new scene: every earlier track is stale
    stage_ms: dict[str, float] = field(default_factory=dict)  # detect_<kind>: ms per call made


class DetectionSchedule:
    """Per-source: called once per frame, in order, from one thread."""

    def __init__(self, config: DetectScheduleConfig) -> None:
        self.config = config
        self._watch = ChangeWatch(config.cut_threshold, config.change_threshold, config.change_margin)
        self._known: list[Followed] = []
        self._frame = 0
        self._last_full: int | None = None
        self._last_scan = 0  # the last full or area scan
        self._last_low = -(10**9)
        # The frame in progress (see begin):
        self._request: DetectRequest | None = None
        self._image: np.ndarray | None = None
        self._ms: dict[str, float] = {}
        self._dets: list[Detection] = []
        self._kinds: list[str] = []
        self._regions: list[Region] = []
        self._due: list[int] = []  # which known faces this frame's regions re-detect
        self._at = 0
        self._cut = False
        self._changes = Changes(False, (), 0.0, None)
        self._areas: list[tuple[int, int, int, int]] = []  # this frame's area scans still to make
        self._area = (0, 0, 0, 0)  # the area of the scan in progress
        self._since_full: int | None = None

    def detect(self, image: np.ndarray, detector: Detector) -> FrameDetections:
        """The frame's detections, with this schedule's calls made one by one on `detector`."""
        done = self.begin(image, detector.mean_bgr)
        while done is None:
            (request,) = self.requests()
            t0 = time.perf_counter()
            found = detector.detect(list(request.images), request.long_side)
            done = self.absorb(found, (time.perf_counter() - t0) * 1000)
        return done

    def begin(self, image: np.ndarray, fill: tuple[float, float, float]) -> FrameDetections | None:
        """Starts a frame (`fill`: the colour a region's overhang gets, the detector's zero):
        its detections when it needs no detector call, else None, and then
        `requests()` says which call to make and `absorb()` takes its answer, until one
        returns the frame's detections (a few rounds: the regions, then a rescue scan, or the
        changed areas one by one and perhaps a cheap scan)."""
        self._image, self._ms = image, {}
        self._dets, self._kinds, self._regions, self._due = [], [], [], []
        if self.config.mode == "full":
            return self._ask("full", [image], self.config.full_size, mixed_sizes=True)
        self._at, self._frame = self._frame, self._frame + 1
        self._changes = self._watch.look(image, [k.box for k in self._known])
        if self._changes.motion_ms is not None:
            self._ms["camera_motion"] = self._changes.motion_ms
        self._cut, self._areas = self._changes.cut, []
        if self._cut:
            self._known = []
        last = self._last_full
        self._since_full = self._at - last if last is not None else None
        since = self._since_full
        if self._cut or since is None or since >= self.config.full_every:
            return self._ask_full()
        if self._changes.areas and self._at - self._last_scan >= self.config.rescue_gap:
            if self._changes.share > self.config.area_max:
                return self._ask_full()
            self._areas = list(self._changes.areas)
        if self._known:
            cfg = self.config
            self._due = due(self._known, self._at, cfg.regions_per_frame)
            self._regions = [
                region_for(self._known[i].box, cfg.region_size, cfg.region_face, cfg.region_max_scale)
                for i in self._due
            ]
            crops = [crop(image, r, cfg.region_size, fill) for r in self._regions]
            return self._ask("region", crops, cfg.region_size)
        return self._after_regions(lost=False)

    def requests(self) -> list[DetectRequest]:
        """The call the frame waits for (none once it is done)."""
        return [] if self._request is None else [self._request]

    def absorb(self, found: list[tuple[Detection, ...]], ms: float) -> FrameDetections | None:
        """The answer to `requests()`, per image, and how long its call took (shared calls
        count whole for each source they served); the frame's detections once it is done."""
        request, self._request = self._request, None
        assert request is not None, "absorb() without a request"
        self._ms[f"detect_{request.kind}"] = self._ms.get(f"detect_{request.kind}", 0.0) + ms
        if request.kind == "full":
            return self._full_done(found[0])
        if request.kind == "region":
            lost = self._regions_done(found)
            return self._after_regions(lost)
        if request.kind == "scan_area":
            self._add_new(self._in_area(found[0]), "scan_area")
            return self._next_area()
        self._add_new(self._new_in_low_scan(found[0]), "scan_low")
        return self._done(self._cut)

    def _add_new(self, dets: list[Detection], kind: str) -> None:
        for det in dets:
            self._dets.append(det)
            self._kinds.append(kind)
            self._known.append(Followed.start(det, self._at))

    def _ask(self, kind: str, images: list[np.ndarray], long_side: int | None, mixed_sizes: bool = False) -> None:
        self._request = DetectRequest(kind, tuple(images), long_side, mixed_sizes)
        return None

    def _ask_full(self) -> None:
        return self._ask("full", [self._image], self.config.full_size or max(self._image.shape[:2]))

    def _done(self, cut: bool) -> FrameDetections:
        dets, kinds = tuple(self._dets), tuple(self._kinds)
        self._image = None
        return FrameDetections(dets, kinds, cut, self._ms)

    def _after_regions(self, lost: bool) -> FrameDetections | None:
        since = self._since_full
        assert since is not None
        if lost and since >= self.config.rescue_gap:
            self._dets, self._kinds = [], []
            return self._ask_full()
        return self._next_area()

    def _next_area(self) -> FrameDetections | None:
        """The next changed area's scan at full resolution; then the cheap scan if due."""
        if self._areas:
            x1, y1, x2, y2 = self._area = self._areas.pop(0)
            return self._ask("scan_area", [self._image[y1:y2, x1:x2]], max(x2 - x1, y2 - y1))
        if self._changes.areas and self._at - self._last_scan >= self.config.rescue_gap:
            self._scanned()  # every area of this frame's changes was scanned
        waiting = self._changes.share > self.config.area_max  # a large change waits for a full scan
        if waiting or self._at - self._last_low >= self.config.low_every:
            self._last_low = self._at
            return self._ask("scan_low", [self._image], self.config.low_size)
        return self._done(self._cut)

    def _scanned(self) -> None:
        self._last_scan = self._at
        self._watch.scanned()

    def _in_area(self, found: tuple[Detection, ...]) -> list[Detection]:
        """An area scan's faces in frame pixels, less those cut by an inner edge of the area (the
        margin makes them whole in the area next to it, or they are known) and known ones."""
        x1, y1, x2, y2 = self._area
        height, width = self._image.shape[:2]
        whole = [
            d
            for d in found
            if (d.box[0] > 1 or x1 == 0)
            and (d.box[1] > 1 or y1 == 0)
            and (d.box[2] < x2 - x1 - 1 or x2 == width)
            and (d.box[3] < y2 - y1 - 1 or y2 == height)
        ]
        return self._unknown([d.moved(x1, y1) for d in whole])

    def _full_done(self, dets: tuple[Detection, ...]) -> FrameDetections:
        self._dets, self._kinds = list(dets), ["full"] * len(dets)
        if self.config.mode == "full":
            return self._done(False)
        self._known = [Followed.start(d, self._at) for d in dets]
        self._last_full = self._at
        self._scanned()
        return self._done(self._cut)

    def _regions_done(self, found: list[tuple[Detection, ...]]) -> bool:
        """Each due face continued by its region's detection, the others predicted; whether any was lost."""
        cfg = self.config
        picked: dict[int, Detection | None] = {
            i: _continuation(self._known[i].box, r, f, cfg.match_iou)
            for i, r, f in zip(self._due, self._regions, found, strict=True)
        }
        keep = _dedupe([d for d in picked.values() if d is not None])
        height, width = self._image.shape[:2]
        lost = False
        survivors, dets, kinds = [], [], []
        for i, known in enumerate(self._known):
            if i not in picked:
                guess = known.predicted(self._at)
                if inside(guess, height, width) and not _covered(guess, keep):
                    survivors.append(known.moved_to(guess))
                    dets.append(guess)
                    kinds.append("predicted")
                continue
            det = picked[i]
            if det is not None and det in keep:
                survivors.append(known.redetected(det, self._at))
                dets.append(det)
                kinds.append("region")
            elif det is None:
                lost = True
                if known.missed < cfg.max_missed:
                    survivors.append(known.lost())
        self._known = survivors
        self._dets, self._kinds = dets, kinds
        return lost

    def _new_in_low_scan(self, scan: tuple[Detection, ...]) -> list[Detection]:
        """Faces of a cheap whole-frame scan that no known face accounts for."""
        cfg = self.config
        scale = min(1.0, cfg.low_size / max(self._image.shape[:2]))
        # A face under 16 input pixels is guesswork at this size; the full scans find it.
        return self._unknown([d for d in scan if (d.box[3] - d.box[1]) * scale >= 16])

    def _unknown(self, found: list[Detection]) -> list[Detection]:
        """The faces that no known face, nor one found earlier in this frame, accounts for."""
        if not found:
            return []
        known = np.array([k.box for k in self._known] + [d.box for d in self._dets], np.float64).reshape(-1, 4)
        boxes = np.array([d.box for d in found], np.float64).reshape(-1, 4)
        overlap = iou_matrix(boxes, known).max(axis=1) if len(known) else np.zeros(len(boxes))
        return [d for d, o in zip(found, overlap, strict=False) if o < self.config.match_iou]


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


def _covered(guess: Detection, found: list[Detection], threshold: float = 0.5) -> bool:
    """A predicted face that a re-detected one now covers has converged on it: it is dropped."""
    if not found:
        return False
    boxes = np.array([d.box for d in found], np.float64)
    return bool(iou_matrix(np.array([guess.box], np.float64), boxes).max() >= threshold)


def _dedupe(dets: list[Detection], threshold: float = 0.5) -> list[Detection]:
    """Two known faces that converged on one face keep its best-scoring detection."""
    order = sorted(range(len(dets)), key=lambda i: -dets[i].score)
    boxes = np.array([d.box for d in dets], np.float64).reshape(-1, 4)
    kept: list[int] = []
    for i in order:
        if not kept or iou_matrix(boxes[i : i + 1], boxes[kept]).max() < threshold:
            kept.append(i)
    return [dets[i] for i in sorted(kept)]
