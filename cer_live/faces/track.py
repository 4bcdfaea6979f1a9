"""IoU face tracks with stable ids, and the protagonist (largest face) choice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..messages import Detection


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of corner boxes a (N, 4) and b (M, 4)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    tl = np.maximum(a[:, None, :2], b[None, :, :2])
    br = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(br - tl, 0, None), axis=2)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0, None), axis=1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)


def protagonist_index(detections: tuple[Detection, ...]) -> int | None:
    """The largest face, as in the reference recipe; None for an empty frame."""
    if not detections:
        return None
    return int(np.argmax([d.area for d in detections]))


@dataclass
class _Track:
    track_id: int
    box: np.ndarray
    missed: int = 0


class IoUTracker:
    """Greedy IoU association; a track survives `max_missed` frames without a match."""

    def __init__(self, iou_threshold: float = 0.3, max_missed: int = 12) -> None:
        self.iou_threshold = iou_threshold
        self.max_missed = max_missed
        self._tracks: list[_Track] = []
        self._next_id = 1

    def update(self, detections: tuple[Detection, ...]) -> tuple[list[int], list[int]]:
        """Track ids for each detection, and the ids of tracks that just ended."""
        boxes = np.array([d.box for d in detections], np.float64).reshape(-1, 4)
        ious = iou_matrix(np.array([t.box for t in self._tracks]).reshape(-1, 4), boxes)
        ids = [0] * len(detections)
        matched_tracks: set[int] = set()
        if ious.size:
            for flat in np.argsort(-ious, axis=None):
                ti, di = divmod(int(flat), ious.shape[1])
                if ious[ti, di] < self.iou_threshold:
                    break
                if ti in matched_tracks or ids[di]:
                    continue
                track = self._tracks[ti]
                track.box, track.missed = boxes[di], 0
                ids[di] = track.track_id
                matched_tracks.add(ti)
        for i, tid in enumerate(ids):
            if not tid:
                self._tracks.append(_Track(self._next_id, boxes[i]))
                ids[i] = self._next_id
                matched_tracks.add(len(self._tracks) - 1)
                self._next_id += 1
        ended = []
        alive = []
        for ti, track in enumerate(self._tracks):
            if ti not in matched_tracks:
                track.missed += 1
            if track.missed > self.max_missed:
                ended.append(track.track_id)
            else:
                alive.append(track)
        self._tracks = alive
        return ids, ended

    def end_all(self) -> list[int]:
        """Ends every track now; ids are never reused, so the next faces get new ones."""
        ended = [t.track_id for t in self._tracks]
        self._tracks = []
        return ended
