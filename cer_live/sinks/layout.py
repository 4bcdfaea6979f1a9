"""Where each face's label and bar panel go: rectangles placed so that they overlap nothing.

Pure geometry, no drawing. Faces are placed largest first; each one's label, then its panel,
takes the first of its candidate positions (beside the face, then rings further out, nearest
first) that overlaps no face and nothing already placed, and otherwise the one that overlaps
least. Overlapping another label or panel costs more than covering a face, which costs more
than distance. The search stops at the first free position, so a frame with room is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LABEL_WEIGHT = 100.0  # per pixel of overlap with a placed label or panel
_FACE_WEIGHT = 20.0  # per pixel of a face covered
_RINGS = 12  # how far out the search goes, in steps of a quarter (across) or half (down) the item's size


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


@dataclass(frozen=True)
class FaceLayout:
    """One face's box, its label and its bar panel (None when the overlay has no panel)."""

    face: Rect
    label: Rect
    panel: Rect | None


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


def _areas(boxes: np.ndarray, others: list[Rect]) -> np.ndarray:
    """Overlap area of every box (N, 4) with every rectangle in `others`, summed per box."""
    if not others:
        return np.zeros(len(boxes))
    o = np.array([(r.x1, r.y1, r.x2, r.y2) for r in others], np.int64)
    w = np.minimum(boxes[:, None, 2], o[None, :, 2]) - np.maximum(boxes[:, None, 0], o[None, :, 0])
    h = np.minimum(boxes[:, None, 3], o[None, :, 3]) - np.maximum(boxes[:, None, 1], o[None, :, 1])
    return (np.clip(w, 0, None) * np.clip(h, 0, None)).sum(axis=1)


def place_one(
    anchors: list[Rect], size: tuple[int, int], frame: tuple[int, int], placed: list[Rect], faces: list[Rect], gap: int
) -> Rect:
    """The first free position for a w x h item next to the first of `anchors` (then the
    others, then further out), or the one that overlaps least."""
    w, h = size
    near = [_candidates(a, w, h, gap, 0) for a in anchors[1:]]
    xy = np.concatenate([_candidates(anchors[0], w, h, gap, 0), *near, _candidates(anchors[0], w, h, gap, _RINGS)[12:]])
    # moved inside the frame
    xy[:, 0] = np.clip(xy[:, 0], 0, max(0, frame[0] - w))
    xy[:, 1] = np.clip(xy[:, 1], 0, max(0, frame[1] - h))
    boxes = np.concatenate([xy, xy + (w, h)], axis=1)
    cost = _LABEL_WEIGHT * _areas(boxes, placed) + _FACE_WEIGHT * _areas(boxes, faces)
    free = np.flatnonzero(cost == 0)
    if len(free):
        pick = int(free[0])
    else:
        a = anchors[0]
        dx = np.maximum.reduce([a.x1 - boxes[:, 2], boxes[:, 0] - a.x2, np.zeros(len(boxes), np.int64)])
        dy = np.maximum.reduce([a.y1 - boxes[:, 3], boxes[:, 1] - a.y2, np.zeros(len(boxes), np.int64)])
        pick = int(np.argmin(cost + np.hypot(dx, dy)))
    return Rect(*(int(v) for v in boxes[pick]))


def _greedy(
    order: list[int],
    frame: tuple[int, int],
    faces: list[Rect],
    labels: list[tuple[int, int]],
    panels: list[tuple[int, int] | None],
    reserved: tuple[Rect, ...],
    gap: int,
) -> list[FaceLayout]:
    placed: list[Rect] = list(reserved)
    out: dict[int, FaceLayout] = {}
    for i in order:
        label = place_one([faces[i]], labels[i], frame, placed, faces, gap)
        placed.append(label)
        panel = None
        if panels[i] is not None:
            panel = place_one([faces[i], label], panels[i], frame, placed, faces, gap)
            placed.append(panel)
        out[i] = FaceLayout(faces[i], label, panel)
    return [out[i] for i in range(len(faces))]


def _orders(faces: list[Rect]) -> list[list[int]]:
    """Greedy placement depends on who goes first: a few natural orders are tried."""
    keys = (
        lambda r: -r.width * r.height,  # largest first
        lambda r: r.y1,  # top first
        lambda r: r.x1,  # left first
        lambda r: -r.x2,  # right first
        lambda r: -r.y2,  # bottom first
    )
    orders: list[list[int]] = []
    for key in keys:
        order = sorted(range(len(faces)), key=lambda k: key(faces[k]))
        if order not in orders:
            orders.append(order)
    return orders


def place(
    frame: tuple[int, int],
    faces: list[Rect],
    labels: list[tuple[int, int]],
    panels: list[tuple[int, int] | None],
    reserved: tuple[Rect, ...] = (),
    gap: int = 2,
) -> list[FaceLayout]:
    """A layout per face (in the order given); `frame` is (width, height), `reserved` holds
    rectangles nothing may cover if it can help (a watermark). Of the greedy layouts in a
    few orders, the one with the least overlap wins, then the one with the shortest and
    least crossing leader lines."""
    best: tuple[tuple[int, int, float], list[FaceLayout]] | None = None
    for order in _orders(faces):
        layouts = _greedy(order, frame, faces, labels, panels, reserved, gap)
        score = (*overlaps(layouts, reserved), _leader_cost(layouts))
        if best is None or score < best[0]:
            best = (score, layouts)
        if len(faces) < 2:
            break
    return best[1] if best is not None else []


def _leader_cost(layouts: list[FaceLayout]) -> float:
    """Total distance from faces to their labels and panels, with a leader that crosses
    another face counted as much as a long one."""
    cost = 0.0
    for lay in layouts:
        for rect in (lay.label, lay.panel):
            if rect is None:
                continue
            cost += lay.face.gap(rect)
            crossed = sum(_crosses(lay.face, rect, other.face) for other in layouts if other is not lay)
            cost += 500.0 * crossed
    return cost


def _crosses(face: Rect, rect: Rect, other: Rect, samples: int = 16) -> bool:
    """Whether the line between the centres of `face` and `rect` passes through `other`."""
    ax, ay = (face.x1 + face.x2) / 2, (face.y1 + face.y2) / 2
    bx, by = (rect.x1 + rect.x2) / 2, (rect.y1 + rect.y2) / 2
    for k in range(1, samples):
        t = k / samples
        x, y = ax + (bx - ax) * t, ay + (by - ay) * t
        if other.x1 < x < other.x2 and other.y1 < y < other.y2:
            return True
    return False


def overlaps(layouts: list[FaceLayout], reserved: tuple[Rect, ...] = ()) -> tuple[int, int]:
    """(pixels where labels/panels overlap each other or `reserved`, pixels of faces they cover)."""
    items = [r for lay in layouts for r in (lay.label, lay.panel) if r is not None]
    among = sum(a.overlap(b) for i, a in enumerate(items) for b in items[i + 1 :])
    among += sum(a.overlap(r) for a in items for r in reserved)
    covered = sum(a.overlap(lay.face) for a in items for lay in layouts)
    return among, covered
