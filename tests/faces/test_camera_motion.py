"""The camera's motion between two frames of a real photo moved by a known similarity."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cer_live.faces.camera_motion import grey, motion
from cer_live.sources.images import read_image


def _view(image: np.ndarray, zoom: float, dx: float, dy: float) -> np.ndarray:
    h, w = image.shape[:2]
    matrix = np.float64([[zoom, 0, (1 - zoom) * w / 2 + dx], [0, zoom, (1 - zoom) * h / 2 + dy]])
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REFLECT), matrix


@pytest.mark.parametrize(("zoom", "dx", "dy"), [(1.0, -14.0, 5.0), (1.04, 6.0, -3.0), (0.97, 0.0, 9.0)])
def test_a_pan_and_zoom_is_recovered_within_a_pixel(sample, zoom, dx, dy):
    photo = read_image(sample("multi_face.jpg"))
    before, first = _view(photo, 1.0, 0.0, 0.0)
    after, second = _view(photo, zoom, dx, dy)
    expected = (np.vstack([second, [0, 0, 1]]) @ np.linalg.inv(np.vstack([first, [0, 0, 1]])))[:2]
    (a, step), (b, _) = grey(before), grey(after)
    found = motion(a, b, step)
    assert found is not None
    h, w = photo.shape[:2]
    corners = np.float64([[0, 0], [w, 0], [0, h], [w, h], [w / 2, h / 2]])
    error = np.abs(corners @ found[:, :2].T + found[:, 2] - (corners @ expected[:, :2].T + expected[:, 2])).max()
    assert error < 1.0, (found, expected)


def test_a_flat_picture_has_no_motion_to_tell():
    flat = np.full((360, 640, 3), 120, np.uint8)
    (a, step), (b, _) = grey(flat), grey(flat)
    assert motion(a, b, step) is None
