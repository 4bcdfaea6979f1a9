"""What changed in the picture since the last scan: a scene cut, and areas of new content.

Colour thumbnails (scene_cut.py) of each frame are compared with the previous frame (a cut
changes most of the picture at once) and with the picture at the last scan, away from the
known faces (new content: a face popping up or sliding in). When the camera moves, the
picture at the last scan is first moved to where the camera now looks (camera_motion.py), so
that a pan or a zoom leaves only what it brings into view: a strip at the edge, which a
small scan of that area covers, instead of a change everywhere that only a whole-frame scan
would. The changed cells are covered by a few boxes (widened by a margin so that a face across
a box's edge is whole in it), in frame pixels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from .camera_motion import grey, motion
from .scene_cut import THUMB, changed_cells, difference, thumbnail

AREA_MARGIN = 1.5  # cells added on every side of a group of changed cells
OUTSIDE = -1000.0  # what a thumbnail cell the last scan never saw reads: changed, whatever it shows
NEW_SHARE = 0.2  # a cell this much outside the last scan's view is new
STILL = 0.25  # camera motion under this many cells (at any corner) is a still camera


@dataclass(frozen=True)
class Changes:
    cut: bool  # most of the picture changed at once: a new scene
    areas: tuple[tuple[int, int, int, int], ...]  # new content away from known faces: x1, y1, x2, y2
    share: float  # of the frame's pixels the areas cover
    motion_ms: float | None  # the camera motion estimate's time; None: not needed on this frame


class ChangeWatch:
    """Per source; `look` once per frame, in order; `scanned` when a scan has covered the changes."""

    def __init__(self, cut_threshold: float, change_threshold: float, change_margin: float) -> None:
        self.cut_threshold = cut_threshold
        self.change_threshold = change_threshold
        self.change_margin = change_margin
        self._last: np.ndarray | None = None
        self._last_image: np.ndarray | None = None
        self._scan: np.ndarray | None = None  # the thumbnail at the last scan
        self._scan_image: np.ndarray | None = None  # ...and the frame (its grey copy made when needed)
        self._scan_grey: tuple[np.ndarray, int] | None = None
        self._shape: tuple[int, ...] | None = None

    def look(self, image: np.ndarray, faces: list[tuple[float, float, float, float]]) -> Changes:
        thumb = thumbnail(image)
        last, self._last, self._last_image = self._last, thumb, image
        shape, self._shape = self._shape, image.shape
        whole = ((0, 0, image.shape[1], image.shape[0]),)
        if shape is not None and shape != image.shape:
            return Changes(True, whole, 1.0, None)  # a folder of images of other sizes
        if last is None or self._scan is None:
            return Changes(False, (), 0.0, None)
        if float(difference(thumb, last).mean()) > self.cut_threshold:
            return Changes(True, whole, 1.0, None)
        # Against the last scan, not the previous frame: a face that popped up while a scan
        # had to wait still shows, and so does one sliding in slowly.
        hw = image.shape[:2]
        cells = self._changed(difference(thumb, self._scan), faces, hw)
        motion_ms = None
        if cells.any():  # a still camera never pays for the motion estimate
            t0 = time.perf_counter()
            camera = self._camera_since_scan(image)
            motion_ms = (time.perf_counter() - t0) * 1000
            if camera is not None:
                cells = self._changed(self._moved_difference(thumb, camera), faces, hw)
        areas = _areas(cells, hw)
        share = sum(_area(a) for a in areas) / float(hw[0] * hw[1])
        return Changes(False, areas, min(1.0, share), motion_ms)

    def scanned(self) -> None:
        """The current frame was scanned where it changed: it is the new reference."""
        self._scan, self._scan_image, self._scan_grey = self._last, self._last_image, None

    def _changed(self, diff: np.ndarray, faces: list[tuple[float, ...]], hw: tuple[int, int]) -> np.ndarray:
        return changed_cells(diff, faces, hw, self.change_threshold, self.change_margin)

    def _camera_since_scan(self, image: np.ndarray) -> np.ndarray | None:
        """The camera's motion since the last scan in thumbnail cells; None when unknown or too
        small to matter (a still camera is compared cell by cell)."""
        assert self._scan_image is not None
        if self._scan_grey is None:
            self._scan_grey = grey(self._scan_image)
        now, step = grey(image)
        camera = motion(self._scan_grey[0], now, step)
        if camera is None:
            return None
        hw = image.shape[:2]
        to_cells = np.diag([THUMB[0] / hw[1], THUMB[1] / hw[0], 1.0])
        moved = (to_cells @ np.vstack([camera, [0, 0, 1]]) @ np.linalg.inv(to_cells))[:2]
        corners = np.float64([[0, 0], [THUMB[0], 0], [0, THUMB[1]], [THUMB[0], THUMB[1]]])
        shift = np.abs(corners @ moved[:, :2].T + moved[:, 2] - corners).max()
        return moved if shift >= STILL else None

    def _moved_difference(self, thumb: np.ndarray, moved: np.ndarray) -> np.ndarray:
        """Per cell, how far this frame is from the last scan's picture moved as the camera moved.

        A cell is compared with the range of the moved picture's cells around it: moving a 32x18
        thumbnail by a fraction of a cell blurs textured cells (hair, faces, foliage) by more than
        any threshold, but leaves them inside their neighbours' range; new content (a face on a
        wall) falls outside it. Cells the last scan never saw (the strip a pan brings in) are new
        whatever they show."""
        assert self._scan is not None
        seen = cv2.warpAffine(
            self._scan, moved, THUMB, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=OUTSIDE
        )
        unseen = (seen < OUTSIDE * NEW_SHARE).any(axis=2)
        kernel = np.ones((3, 3), np.uint8)
        high, low = cv2.dilate(seen, kernel), cv2.erode(seen, kernel)
        low[low < 0] = 0  # an unseen neighbour widens nothing
        excess = np.maximum(np.maximum(thumb - high, low - thumb), 0).mean(axis=2)
        excess[unseen] = 255.0
        return excess


def _areas(cells: np.ndarray, frame_hw: tuple[int, int]) -> tuple[tuple[int, int, int, int], ...]:
    """Boxes around the changed cells, in frame pixels, widened by AREA_MARGIN cells."""
    rows, cols = cells.shape
    cell_h, cell_w = frame_hw[0] / rows, frame_hw[1] / cols
    out = []
    for x, y, w, h in _cover(cells, 0, 0):
        x1 = max(0, int((x - AREA_MARGIN) * cell_w))
        y1 = max(0, int((y - AREA_MARGIN) * cell_h))
        x2 = min(frame_hw[1], int(np.ceil((x + w + AREA_MARGIN) * cell_w)))
        y2 = min(frame_hw[0], int(np.ceil((y + h + AREA_MARGIN) * cell_h)))
        out.append((x1, y1, x2, y2))
    return tuple(_merged(out))


def _cover(cells: np.ndarray, x0: int, y0: int) -> list[tuple[int, int, int, int]]:
    """Cell boxes (x, y, w, h) covering the set cells: the bounding box where the cells fill at
    least half of it, else the two halves' covers (an L-shaped strip, the top and side a pan
    and a tilt bring in, is two strips, not the whole frame)."""
    ys, xs = np.nonzero(cells)
    if len(xs) == 0:
        return []
    x1, x2, y1, y2 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    box = cells[y1:y2, x1:x2]
    if box.mean() >= 0.5 or box.size <= 4:
        return [(x0 + x1, y0 + y1, x2 - x1, y2 - y1)]
    if x2 - x1 >= y2 - y1:
        half = (x2 - x1) // 2
        return _cover(box[:, :half], x0 + x1, y0 + y1) + _cover(box[:, half:], x0 + x1 + half, y0 + y1)
    half = (y2 - y1) // 2
    return _cover(box[:half], x0 + x1, y0 + y1) + _cover(box[half:], x0 + x1, y0 + y1 + half)


def _area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _merged(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Two overlapping boxes as one where their union is no larger than the two together."""
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3] and _area(union) <= _area(a) + _area(b):
                    boxes[i] = union
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes
