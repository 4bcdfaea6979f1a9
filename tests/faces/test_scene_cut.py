"""Thumbnail change: a cut is a large mean change; a face popping up changes a few cells away from known faces."""

from __future__ import annotations

import cv2
import numpy as np

from cer_live.faces.scene_cut import changed_cells, difference, thumbnail
from cer_live.sources.images import read_image


def _frames(sample, n):
    capture = cv2.VideoCapture(str(sample("WolfgangLanger_Pexels.mp4")))
    frames = [capture.read()[1] for _ in range(n)]
    capture.release()
    return frames


def test_consecutive_frames_are_no_cut_and_another_picture_is(sample):
    frames = _frames(sample, 24)
    steps = [difference(thumbnail(a), thumbnail(b)).mean() for a, b in zip(frames, frames[1:], strict=False)]
    other = cv2.resize(read_image(sample("multi_face.jpg")), frames[0].shape[1::-1])
    cut = difference(thumbnail(frames[-1]), thumbnail(other)).mean()
    assert max(steps) < 10 < 30 < cut, (max(steps), cut)


def test_a_face_pasted_away_from_the_known_face_is_new_content(sample):
    (frame,) = _frames(sample, 1)
    face = cv2.resize(read_image(sample("single_face.jpg")), (60, 60))
    pasted = frame.copy()
    pasted[280:340, 20:80] = face
    diff = difference(thumbnail(frame), thumbnail(pasted))
    known = [(360.0, 52.0, 579.0, 353.0)]  # the video's own face
    assert changed_cells(diff, known, frame.shape[:2], 20.0, 1.0).any()
    assert not changed_cells(diff, [(20.0, 280.0, 80.0, 340.0)], frame.shape[:2], 20.0, 1.0).any()
    assert not changed_cells(np.zeros_like(diff), known, frame.shape[:2], 20.0, 1.0).any()
