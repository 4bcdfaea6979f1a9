"""What changed since the last scan, on a real photo: a face popping up, a pan, a cut."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cer_live.faces.change_watch import ChangeWatch
from cer_live.sources.images import read_image

SIZE = (1280, 720)


@pytest.fixture(scope="module")
def wide(sample):
    photo = read_image(sample("multi_face.jpg"))
    return cv2.resize(np.concatenate([photo, photo[:, ::-1]], axis=1), None, fx=1.6, fy=1.6)


def _frame(wide: np.ndarray, x: float) -> np.ndarray:
    matrix = np.float32([[1, 0, -x], [0, 1, -150]])
    return cv2.warpAffine(wide, matrix, SIZE, borderMode=cv2.BORDER_REFLECT)


def _watch() -> ChangeWatch:
    return ChangeWatch(cut_threshold=30.0, change_threshold=20.0, change_margin=1.0)


def test_a_pan_leaves_only_the_strip_it_brings_into_view(wide):
    watch = _watch()
    watch.look(_frame(wide, 0), [])
    watch.scanned()
    changes = watch.look(_frame(wide, 48), [])  # four frames of a 12 px/frame pan
    assert not changes.cut and changes.motion_ms is not None
    assert changes.areas and changes.share < 0.2, changes
    strips = [a for a in changes.areas if a[0] >= SIZE[0] - 48 - 80 and a[2] == SIZE[0] and a[3] - a[1] >= 600]
    assert strips, changes.areas  # the right edge, top to bottom
    # Elsewhere at most a stray textured cell (with its margin): the rest of the picture moved, it is not new
    assert all((x2 - x1) * (y2 - y1) <= 160 * 160 for x1, y1, x2, y2 in changes.areas if (x1, y1, x2, y2) not in strips)


def test_a_still_camera_never_pays_for_the_motion_estimate(wide):
    watch = _watch()
    frame = _frame(wide, 0)
    watch.look(frame, [])
    watch.scanned()
    changes = watch.look(frame.copy(), [])
    assert changes.areas == () and changes.motion_ms is None


def test_a_face_that_pops_up_is_an_area_around_it(wide, sample):
    watch = _watch()
    frame = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    watch.look(frame, [])
    watch.scanned()
    face = cv2.resize(read_image(sample("single_face.jpg")), (160, 160))
    popped = frame.copy()
    popped[400:560, 900:1060] = face
    changes = watch.look(popped, [])
    assert len(changes.areas) == 1
    x1, y1, x2, y2 = changes.areas[0]
    assert x1 <= 900 and y1 <= 400 and x2 >= 1060 and y2 >= 560 and changes.share < 0.15


def test_another_picture_is_a_cut(wide):
    watch = _watch()
    watch.look(_frame(wide, 0), [])
    watch.scanned()
    assert watch.look(np.full((SIZE[1], SIZE[0], 3), 30, np.uint8), []).cut


def test_on_a_panning_camera_the_schedule_scans_areas_not_whole_frames(wide):
    """Thirty frames of a 12 px/frame pan over ten real faces: one whole-frame scan (the first),
    the new strips scanned as areas, and every face that full-resolution detection finds in the
    last frame is there."""
    from cer_live.faces.detect_schedule import DetectionSchedule, DetectScheduleConfig
    from cer_live.faces.track import iou_matrix
    from cer_live.models.packs import load_pack
    from cer_live.run.analyser import Analyser, AnalyserOptions

    detector = Analyser(load_pack("default"), AnalyserOptions(threads=1)).detector
    schedule = DetectionSchedule(DetectScheduleConfig(full_every=1000))
    calls: dict[str, int] = {}
    for t in range(30):
        frame = _frame(wide, 12 * t)
        found = schedule.detect(frame, detector)
        for name in found.stage_ms:
            calls[name] = calls.get(name, 0) + 1
    assert calls["detect_full"] == 1 and calls["detect_scan_area"] >= 3, calls
    truth = detector.detect([frame], long_side=SIZE[0])[0]
    overlap = iou_matrix(np.array([d.box for d in truth]), np.array([d.box for d in found.detections]))
    assert len(truth) >= 4 and (overlap.max(axis=1) >= 0.5).all(), (len(truth), found.kinds)
