import numpy as np
import pytest

from cer_live.faces.priors import decode_boxes, decode_landmarks, prior_boxes


def test_prior_layout_for_a_32x16_input():
    # step 8: 2 rows x 4 cols x 2 sizes = 16; step 16: 1 x 2 x 2 = 4; step 32: 1 x 1 x 2 = 2
    p = prior_boxes(16, 32, (8, 16, 32), ((16, 32), (64, 128), (256, 512)))
    assert p.shape == (22, 4)
    # first cell of level one: centre (4, 4) px -> (4/32, 4/16); size 16 px -> (16/32, 16/16)
    assert p[0] == pytest.approx([0.125, 0.25, 0.5, 1.0])
    assert p[1] == pytest.approx([0.125, 0.25, 1.0, 2.0])  # same cell, min size 32
    # second cell is one column to the right (x = 12 px)
    assert p[2] == pytest.approx([12 / 32, 0.25, 0.5, 1.0])
    # row two starts after 4 cells x 2 sizes (y = 12 px)
    assert p[8] == pytest.approx([0.125, 12 / 16, 0.5, 1.0])
    # level two, first cell: centre (8, 8) px, size 64 px
    assert p[16] == pytest.approx([8 / 32, 8 / 16, 2.0, 4.0])
    # last prior: step 32, centre (16, 16) px, size 512 px
    assert p[21] == pytest.approx([0.5, 1.0, 16.0, 32.0])
    assert not p.flags.writeable


def test_box_decoding_by_hand():
    priors = np.array([[0.5, 0.5, 0.2, 0.4]], np.float32)
    assert decode_boxes(np.zeros((1, 4), np.float32), priors, (0.1, 0.2))[0] == pytest.approx([0.4, 0.3, 0.6, 0.7])
    # dx = 1 moves the centre by variance0 * prior width = 0.1 * 0.2 = 0.02;
    # dw = ln(2) / 0.2 doubles the width: exp(0.2 * ln(2) / 0.2) = 2
    loc = np.array([[1.0, 0.0, np.log(2) / 0.2, 0.0]], np.float32)
    x1, y1, x2, y2 = decode_boxes(loc, priors, (0.1, 0.2))[0]
    assert (x1 + x2) / 2 == pytest.approx(0.52)
    assert x2 - x1 == pytest.approx(0.4)
    assert (y1, y2) == pytest.approx((0.3, 0.7))


def test_landmark_decoding_by_hand():
    priors = np.array([[0.5, 0.5, 0.2, 0.4]], np.float32)
    pre = np.zeros((1, 10), np.float32)
    pre[0, 0], pre[0, 1] = 1.0, -1.0  # first point: x + 0.1 * 0.2, y - 0.1 * 0.4
    pts = decode_landmarks(pre, priors, (0.1, 0.2))
    assert pts.shape == (1, 5, 2)
    assert pts[0, 0] == pytest.approx([0.52, 0.46])
    assert pts[0, 1:] == pytest.approx(np.full((4, 2), 0.5))
