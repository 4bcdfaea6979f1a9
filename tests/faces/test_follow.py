"""Faces followed between detections: velocity, prediction, and which faces are due."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cer_live.faces.detect_schedule import DetectionSchedule, DetectScheduleConfig
from cer_live.faces.follow import Followed, due, inside
from cer_live.faces.track import iou_matrix
from cer_live.messages import Detection
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.sources.images import read_image


def _face(x: float, y: float, size: float = 40.0) -> Detection:
    return Detection((x, y, x + size, y + size), 0.9, ((x + 10, y + 15), (x + 30, y + 15), (x + 20, y + 25)))


def test_a_face_found_again_moves_on_at_its_measured_speed():
    face = Followed.start(_face(100, 50), at=0).redetected(_face(106, 50), at=2)
    assert face.velocity == pytest.approx((1.5, 0.0))  # 6 px over 2 frames, half-weighted against 0
    guess = face.predicted(at=4)
    assert guess.box == pytest.approx((109, 50, 149, 90))
    assert guess.landmarks[0] == pytest.approx((119, 65))  # the landmarks move with the box
    assert guess.score == 0.9


def test_a_jump_larger_than_half_a_face_is_not_taken_for_motion():
    face = Followed.start(_face(100, 50), at=0).redetected(_face(150, 50), at=1)
    assert face.velocity == (0.0, 0.0)


def test_within_the_budget_every_face_is_due_on_every_frame():
    faces = [Followed.start(_face(50 * i, 0), at=0) for i in range(3)]
    assert due(faces, 1, budget=4) == [0, 1, 2]
    assert due(faces, 1, budget=0) == [0, 1, 2]


def test_over_the_budget_the_longest_waiting_moving_or_lost_faces_go_first():
    still = Followed.start(_face(0, 0), at=0)
    moving = Followed(_face(100, 0), 0, _face(100, 0).box, velocity=(8.0, 0.0))
    lost = Followed.start(_face(200, 0), at=5).lost()
    fresh = Followed.start(_face(300, 0), at=5)
    assert due([still, moving, lost, fresh], 6, budget=2) == [1, 2]
    assert due([still, fresh], 6, budget=1) == [0]


def test_a_face_predicted_out_of_the_frame_is_no_longer_inside():
    assert inside(_face(10, 10), 100, 100) and not inside(_face(-40, 10), 100, 100)


def test_many_faces_over_the_budget_stay_on_their_faces_while_the_camera_pans(sample):
    """Five real faces panning 2 px a frame, two re-detected per frame (no other scans): every face is found on
    every frame, re-detected at least every third frame, and predicted close to where the
    detector finds it."""
    detector = Analyser(load_pack("default"), AnalyserOptions(threads=1)).detector
    still = read_image(sample("multi_face.jpg"))
    schedule = DetectionSchedule(
        DetectScheduleConfig(regions_per_frame=2, full_every=1000, low_every=1000, change_threshold=1000)
    )
    last_region: dict[int, int] = {}
    for t in range(12):
        frame = cv2.warpAffine(still, np.float32([[1, 0, 2 * t], [0, 1, t]]), still.shape[1::-1])
        found = schedule.detect(frame, detector)
        truth = detector.detect([frame], long_side=max(frame.shape[:2]))[0]
        assert len(found.detections) == len(truth) == 5, t
        overlap = iou_matrix(
            np.array([d.box for d in found.detections], np.float64), np.array([d.box for d in truth], np.float64)
        ).max(axis=1)
        assert overlap.min() > 0.7, (t, overlap, found.kinds)
        if t == 0:
            assert set(found.kinds) == {"full"}
            continue
        assert sorted(found.kinds) == ["predicted"] * 3 + ["region"] * 2, (t, found.kinds)
        for i, det in enumerate(truth):
            j = int(np.argmax(iou_matrix(np.array([det.box]), np.array([d.box for d in found.detections]))[0]))
            if found.kinds[j] == "region":
                last_region[i] = t
        assert all(t - last_region.get(i, 0) <= 3 for i in range(5)), (t, last_region)
