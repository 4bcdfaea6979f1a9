"""Where each face's label and bar panel go: rectangles placed so that they overlap nothing.

Pure geometry, no drawing. A `Board` holds what is already on the frame (faces, the bodies
below them, labels, panels, leader lines, reserved corners); each new label or panel takes
the best of its candidate positions (beside its face, then rings further out). A position
is free when it overlaps no face, label or panel and its leader line crosses no label or
panel, nor does it sit on another's leader; among free positions the nearest one that
covers the least of the bodies wins, and a preferred position (where the item was in the
frame before) wins while it stays free, so that a label does not jump from side to side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_ITEM_WEIGHT = 100.0  # per pixel of overlap with a placed label, panel or reserved corner
_FACE_WEIGHT = 20.0  # per pixel of a face covered
_CROSS_WEIGHT = 5000.0  # per leader sample point inside a label or panel (a line crossing it)
_FACE_CROSS_WEIGHT = 300.0  # per leader sample point inside another face
_BODY_WEIGHT = 0.01  # per pixel of a body covered: soft, traded against distance in pixels
_RINGS = 12  # how far out the search goes, in steps of a quarter (across) or half (down) the item's size
_SAMPLES = 12  # points per leader line when testing what it crosses


@dataclass(frozen=True)
class Rect:
    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def width(self) -> int:
        return self.x2 - self.x1

    @property
    def height(self) -> int:
        return self.y2 - self.y1

    def overlap(self, other: Rect) -> int:
        """Area shared with `other`, in pixels (0 when they only touch)."""
        w = min(self.x2, other.x2) - max(self.x1, other.x1)
        h = min(self.y2, other.y2) - max(self.y1, other.y1)
        return max(0, w) * max(0, h)

    def intersects(self, other: Rect) -> bool:
        return self.overlap(other) > 0

    def gap(self, other: Rect) -> float:
        """Distance between the closest edges (0 when they touch or overlap)."""
        dx = max(other.x1 - self.x2, self.x1 - other.x2, 0)
        dy = max(other.y1 - self.y2, self.y1 - other.y2, 0)
        return float((dx * dx + dy * dy) ** 0.5)

    def shifted(self, dx: int, dy: int) -> Rect:
        return Rect(self.x1 + dx, self.y1 + dy, self.x2 + dx, self.y2 + dy)


@dataclass(frozen=True)
class FaceLayout:
    """One face's box, its label and its bar panel (None when it has no panel); `choice` is
    which of the panel sizes offered was taken (0 = the largest)."""

    face: Rect
    label: Rect
    panel: Rect | None
    choice: int = 0


def body_of(face: Rect, frame: tuple[int, int]) -> Rect:
    """Roughly where the person under a face is: shoulders wider than the face, down a few face heights."""
    w, h = face.width, face.height
    return Rect(
        max(0, face.x1 - w // 2),
        min(frame[1], face.y2),
        min(frame[0], face.x2 + w // 2),
        min(frame[1], face.y2 + 3 * h),
    )


def leader(face: Rect, rect: Rect, min_gap: float) -> tuple[int, int, int, int] | None:
    """The line joining a face to its label or panel (x1, y1, x2, y2), None when they are close:
    from the face's point nearest the rectangle's centre to the rectangle's point nearest that."""
    if face.gap(rect) <= min_gap:
        return None
    cx, cy = (rect.x1 + rect.x2) // 2, (rect.y1 + rect.y2) // 2
    fx, fy = min(max(cx, face.x1), face.x2), min(max(cy, face.y1), face.y2)
    return fx, fy, min(max(fx, rect.x1), rect.x2 - 1), min(max(fy, rect.y1), rect.y2 - 1)


def _leaders(face: Rect, boxes: np.ndarray) -> np.ndarray:
    """(N, 4) leader segments from `face` to each box: face point nearest the box's centre,
    then the box point nearest that."""
    cx, cy = (boxes[:, 0] + boxes[:, 2]) // 2, (boxes[:, 1] + boxes[:, 3]) // 2
    fx, fy = np.clip(cx, face.x1, face.x2), np.clip(cy, face.y1, face.y2)
    px, py = np.clip(fx, boxes[:, 0], boxes[:, 2] - 1), np.clip(fy, boxes[:, 1], boxes[:, 3] - 1)
    return np.stack([fx, fy, px, py], axis=1)


def _gaps(face: Rect, boxes: np.ndarray) -> np.ndarray:
    dx = np.maximum.reduce([face.x1 - boxes[:, 2], boxes[:, 0] - face.x2, np.zeros(len(boxes), np.int64)])
    dy = np.maximum.reduce([face.y1 - boxes[:, 3], boxes[:, 1] - face.y2, np.zeros(len(boxes), np.int64)])
    return np.hypot(dx, dy)


def _points(segments: np.ndarray) -> np.ndarray:
    """(N, S, 2) points inside each segment (the ends left out)."""
    t = np.arange(1, _SAMPLES)[None, :, None] / _SAMPLES
    a, b = segments[:, None, :2], segments[:, None, 2:]
    return a + (b - a) * t


def _inside(points: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """(N,) how many of each row's points lie strictly inside any of `rects` (M, 4)."""
    if not len(rects) or not points.size:
        return np.zeros(len(points))
    x, y = points[..., 0][..., None], points[..., 1][..., None]
    hit = (x > rects[:, 0]) & (x < rects[:, 2]) & (y > rects[:, 1]) & (y < rects[:, 3])
    return hit.any(axis=-1).sum(axis=-1)


def _areas(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Overlap area of every box (N, 4) with every rectangle in `others` (M, 4), summed per box."""
    if not len(others):
        return np.zeros(len(boxes))
    w = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    h = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return (np.clip(w, 0, None) * np.clip(h, 0, None)).sum(axis=1)


def _candidates(anchor: Rect, w: int, h: int, gap: int, rings: int) -> np.ndarray:
    """(N, 2) top-left corners touching `anchor` (ring 0) and rings of the anchor grown by a
    quarter of the item's width and half its height each (further out, for crowded frames):
    above, below, right and left, each aligned three ways, nearest first."""
    r = np.arange(rings + 1)[:, None]
    x1, x2 = anchor.x1 - r * (w + gap) // 4, anchor.x2 + r * (w + gap) // 4
    y1, y2 = anchor.y1 - r * (h + gap) // 2, anchor.y2 + r * (h + gap) // 2
    above, below, right, left = y1 - h - gap, y2 + gap, x2 + gap, x1 - w - gap
    xs_h = (x1, x2 - w, (x1 + x2 - w) // 2)  # along the top and bottom edges
    ys_v = (y1, y2 - h, (y1 + y2 - h) // 2)  # along the right and left edges
    cols = [(x, y) for y in (above, below) for x in xs_h] + [(x, y) for x in (right, left) for y in ys_v]
    xs = np.concatenate([x for x, _ in cols], axis=1)  # each column is (rings + 1, 1)
    ys = np.concatenate([y for _, y in cols], axis=1)
    return np.stack([xs, ys], axis=2).reshape(-1, 2)


def _array(rects: list[Rect]) -> np.ndarray:
    return np.array([(r.x1, r.y1, r.x2, r.y2) for r in rects], np.int64).reshape(-1, 4)


@dataclass(frozen=True)
class Pick:
    rect: Rect
    hard: float  # overlap and crossing cost: 0 when the position is free
    leader: tuple[int, int, int, int] | None


class Board:
    """What is on the frame so far; `place` finds a position for one more item and `add` keeps it."""

    def __init__(self, frame: tuple[int, int], faces: list[Rect], reserved: tuple[Rect, ...], gap: int) -> None:
        self.frame, self.gap = frame, gap
        self.faces = _array(faces)
        self.bodies = _array([body_of(f, frame) for f in faces])
        self.items: list[Rect] = list(reserved)
        self.leaders: list[tuple[int, int, int, int]] = []

    def add(self, pick: Pick) -> None:
        self.items.append(pick.rect)
        if pick.leader is not None:
            self.leaders.append(pick.leader)

    def place(
        self, face: Rect, anchors: list[Rect], size: tuple[int, int], prefer: tuple[int, int] | None = None
    ) -> Pick:
        """The best position for a w x h item beside `face` (and its other `anchors`);
        `prefer` is a top-left corner relative to the face's, kept while it is free."""
        w, h = size
        near = [_candidates(a, w, h, self.gap, 0) for a in anchors]
        xy = np.concatenate(
            [_candidates(face, w, h, self.gap, 0), *near, _candidates(face, w, h, self.gap, _RINGS)[12:]]
        )
        if prefer is not None:
            xy = np.concatenate([np.array([[face.x1 + prefer[0], face.y1 + prefer[1]]]), xy])
        xy[:, 0] = np.clip(xy[:, 0], 0, max(0, self.frame[0] - w))  # moved inside the frame
        xy[:, 1] = np.clip(xy[:, 1], 0, max(0, self.frame[1] - h))
        boxes = np.concatenate([xy, xy + (w, h)], axis=1)
        hard, soft, segs, has = self._costs(face, boxes)
        free = hard == 0
        if prefer is not None and free[0]:
            pick = 0
        elif free.any():
            pick = int(np.flatnonzero(free)[np.argmin(soft[free])])
        else:
            pick = int(np.argmin(hard + soft))
        line = tuple(int(v) for v in segs[pick]) if has[pick] else None
        return Pick(Rect(*(int(v) for v in boxes[pick])), float(hard[pick]), line)  # type: ignore[arg-type]

    def _costs(self, face: Rect, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        items = _array(self.items)
        others = self.faces[~np.all(self.faces == (face.x1, face.y1, face.x2, face.y2), axis=1)]
        gaps = _gaps(face, boxes)
        segs = _leaders(face, boxes)
        has = gaps > 2 * self.gap
        points = _points(segs.astype(np.float64))
        crossing = np.where(has, _inside(points, items), 0)
        over_faces = np.where(has, _inside(points, others), 0)
        on_lines = self._lines_in(boxes)
        hard = (
            _ITEM_WEIGHT * _areas(boxes, items)
            + _FACE_WEIGHT * _areas(boxes, self.faces)
            + _CROSS_WEIGHT * (crossing + on_lines)
            + _FACE_CROSS_WEIGHT * over_faces
        )
        soft = _BODY_WEIGHT * _areas(boxes, self.bodies) + gaps
        return hard, soft, segs, has

    def _lines_in(self, boxes: np.ndarray) -> np.ndarray:
        """(N,) how many sample points of the leaders already drawn fall inside each box."""
        if not self.leaders:
            return np.zeros(len(boxes))
        pts = _points(np.array(self.leaders, np.float64)).reshape(-1, 2)
        x, y = pts[:, 0][None, :], pts[:, 1][None, :]
        hit = (x > boxes[:, :1]) & (x < boxes[:, 2:3]) & (y > boxes[:, 1:2]) & (y < boxes[:, 3:4])
        return hit.sum(axis=1)


def overlaps(layouts: list[FaceLayout], reserved: tuple[Rect, ...] = ()) -> tuple[int, int]:
    """(pixels where labels/panels overlap each other or `reserved`, pixels of faces they cover)."""
    items = [r for lay in layouts for r in (lay.label, lay.panel) if r is not None]
    among = sum(a.overlap(b) for i, a in enumerate(items) for b in items[i + 1 :])
    among += sum(a.overlap(r) for a in items for r in reserved)
    covered = sum(a.overlap(lay.face) for a in items for lay in layouts)
    return among, covered
