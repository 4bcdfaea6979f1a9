"""Box crops (with a margin) and batching of members whose preprocessing differs."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from cer_live.errors import PackError
from cer_live.messages import Detection
from cer_live.models.ensemble import Preprocessor
from cer_live.models.packs import load_pack
from cer_live.models.preprocess_box import box_crops, crop_faces, read_crop


@pytest.fixture(scope="module")
def image(sample):
    return cv2.imread(str(sample("single_face.jpg")))


def _det(box):
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    marks = ((cx - 20, cy - 10), (cx + 20, cy - 10), (cx, cy + 5), (cx - 15, cy + 25), (cx + 15, cy + 25))
    return Detection(box, 0.99, marks)


def test_a_box_crop_is_the_cut_box_resized(image):
    box = (100.0, 60.0, 260.0, 260.0)  # whole pixels, inside the frame, not square
    [crop] = box_crops(image, (_det(box),), 0.0, (224, 224))
    x1, y1, x2, y2 = (int(v) for v in box)
    expected = cv2.resize(image[y1:y2, x1:x2], (224, 224), interpolation=cv2.INTER_LINEAR)
    # The outermost pixels may differ: resize repeats the cut's edge where the crop reads the frame beyond it.
    diff = np.abs(crop.astype(int) - expected.astype(int))[1:-1, 1:-1]
    assert diff.max() <= 1 and diff.mean() < 0.25  # fixed-point rounding only


def test_a_margin_grows_the_box_on_each_side(image):
    box = (120.0, 80.0, 220.0, 200.0)
    [grown] = box_crops(image, (_det(box),), 0.25, (112, 112))
    [same] = box_crops(image, (_det((95.0, 50.0, 245.0, 230.0)),), 0.0, (112, 112))
    assert np.abs(grown.astype(int) - same.astype(int)).max() <= 1


def test_a_box_past_the_frame_repeats_its_edge():
    frame = np.zeros((100, 100, 3), np.uint8)
    frame[:, :50] = 200
    [crop] = box_crops(frame, (_det((-50.0, 0.0, 50.0, 100.0)),), 0.0, (20, 20))
    assert crop.shape == (20, 20, 3) and crop.min() == 200  # the left edge repeated, never black


def test_members_of_different_sizes_and_crops_batch_per_group(image):
    base = load_pack("default").members[0]
    box_b0 = replace(base, name="b0", size=(224, 224), colour="rgb", mean=(0.5,) * 3, std=(0.25,) * 3, crop="box")
    specs = [
        base,
        box_b0,
        replace(box_b0, name="b0_again"),  # same preprocessing: shares b0's tensor
        replace(box_b0, name="b2", size=(260, 260)),
        replace(box_b0, name="b0_margin", margin=0.1),
    ]
    pre = Preprocessor(specs)
    assert list(pre.groups.values()) == [[0], [1, 2], [3], [4]]
    dets = (_det((100.0, 60.0, 260.0, 260.0)), _det((10.0, 10.0, 90.0, 100.0)))
    tensors = pre.tensors(image, dets)
    assert [t.shape for t in tensors] == [(2, 1, 64, 64), (2, 3, 224, 224), (2, 3, 260, 260), (2, 3, 224, 224)]
    rgb = crop_faces(image, dets, box_b0)[..., ::-1].astype(np.float32) / 255
    assert np.allclose(tensors[1], ((rgb - 0.5) / 0.25).transpose(0, 3, 1, 2), atol=1e-6)
    assert not np.allclose(tensors[1], tensors[3])  # the margin changed the crop


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"kind": "square"}, "crop kind 'square'"),
        ({"kind": "box", "margin": -0.1}, "crop margin"),
        ({"kind": "box", "margin": "wide"}, "crop margin"),
        ("box", "must be an object"),
    ],
)
def test_bad_crop_entries_are_named(raw, problem):
    with pytest.raises(PackError, match=problem):
        read_crop(raw, "member 'm'")
    assert read_crop(None, "m") == ("aligned", 0.0) and read_crop({"kind": "box"}, "m") == ("box", 0.0)
