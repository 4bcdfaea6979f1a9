import numpy as np
import pytest

from cer_live.faces.align import align, similarity
from cer_live.faces.templates import ARCFACE_TEMPLATE, loosen
from cer_live.messages import Detection


def test_loosen_shrinks_towards_the_centre_and_shifts():
    pts = loosen(((0.0, 0.0), (1.0, 1.0), (0.5, 0.5), (0.25, 0.75), (0.75, 0.25)), 0.5, 0.1)
    # (p - 0.5) * 0.5 + 0.5 + (0, 0.1)
    assert pts[0] == pytest.approx([0.25, 0.35])
    assert pts[1] == pytest.approx([0.75, 0.85])
    assert pts[2] == pytest.approx([0.5, 0.6])


def test_similarity_recovers_a_known_transform():
    template = np.asarray(ARCFACE_TEMPLATE)
    dst = template * 112
    # landmarks = dst rotated 30 degrees, scaled 2x and moved: the inverse must come back
    angle, s, t = np.deg2rad(30), 2.0, np.array([40.0, -10.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    landmarks = dst @ (s * rot).T + t
    m = similarity(landmarks, template, (112, 112))
    mapped = landmarks @ m[:, :2].T + m[:, 2]
    assert mapped == pytest.approx(dst, abs=1e-4)
    # a pure similarity: scale 1/2 and rotation -30 degrees
    assert np.hypot(m[0, 0], m[1, 0]) == pytest.approx(0.5)
    assert np.degrees(np.arctan2(m[1, 0], m[0, 0])) == pytest.approx(-30)


def test_align_crops_the_landmarks_onto_the_template():
    # A synthetic frame with bright dots at the landmarks: after alignment they sit on the template.
    image = np.zeros((200, 300, 3), np.uint8)
    points = np.asarray(ARCFACE_TEMPLATE) * 80 + [100, 50]
    for x, y in points:
        image[int(round(y)) - 1 : int(round(y)) + 2, int(round(x)) - 1 : int(round(x)) + 2] = 255
    det = Detection((100, 50, 180, 130), 0.99, tuple(map(tuple, points)))
    crop = align(image, (det,), np.asarray(ARCFACE_TEMPLATE), (112, 112))
    assert crop.shape == (1, 112, 112, 3)
    for x, y in np.asarray(ARCFACE_TEMPLATE) * 112:
        assert crop[0, int(round(y)), int(round(x))].max() > 100


def test_degenerate_landmarks_still_give_a_crop():
    det = Detection((0, 0, 10, 10), 0.9, ((5.0, 5.0),) * 5)
    crop = align(np.full((20, 20, 3), 7, np.uint8), (det,), np.asarray(ARCFACE_TEMPLATE), (64, 64))
    assert crop.shape == (1, 64, 64, 3)
