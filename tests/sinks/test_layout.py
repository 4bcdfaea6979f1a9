"""The overlay's rectangles, computed from the layout: nothing overlaps on the five-face sample."""

from __future__ import annotations

import cv2
import pytest

from cer_live.faces.state import FaceOptions, SourceFaces
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.sinks.draw import draw, layout
from cer_live.sinks.layout import Rect
from cer_live.sinks.placement import FaceItem, solve

WATERMARK = "cer-live test | pack default"


@pytest.fixture(scope="module")
def five_faces(sample):
    analyser = Analyser(load_pack("default"), AnalyserOptions("auto", 2, "cpu", None, "auto"))
    try:
        image = cv2.imread(str(sample("multi_face.jpg")))
        faces = SourceFaces(FaceOptions(), look_ahead=False, independent=True)
        results = analyser.analyse(Frame(0, 0.0, 0.0, image, "x/multi_face.jpg"), faces) + faces.flush()
    finally:
        analyser.close()
    (result,) = results
    assert len(result.faces) == 5
    return result


def _rects(places):
    return [r for p in places for r in (p.label, p.panel) if r is not None]


@pytest.mark.parametrize("size", [None, (640, 427), (1620, 1080)])
def test_labels_and_panels_on_five_faces_overlap_nothing(five_faces, size):
    result = five_faces
    if size is not None:  # the same faces on a smaller and a larger frame
        from dataclasses import replace

        sx, sy = size[0] / result.frame.image.shape[1], size[1] / result.frame.image.shape[0]
        faces = tuple(
            replace(
                f,
                detection=replace(
                    f.detection,
                    box=(
                        f.detection.box[0] * sx,
                        f.detection.box[1] * sy,
                        f.detection.box[2] * sx,
                        f.detection.box[3] * sy,
                    ),
                ),
            )
            for f in result.faces
        )
        result = replace(result, frame=replace(result.frame, image=cv2.resize(result.frame.image, size)), faces=faces)
    places, _ = layout(result, WATERMARK)
    rects = _rects(places)
    h, w = result.frame.image.shape[:2]
    assert len(places) == 5 and len(rects) >= 6
    for i, a in enumerate(rects):
        assert 0 <= a.x1 < a.x2 <= w and 0 <= a.y1 < a.y2 <= h
        assert not any(a.intersects(b) for b in rects[i + 1 :]), "a label or panel overlaps another"
        assert not any(a.intersects(p.face) for p in places), "a label or panel covers a face"
    if size is None:
        assert all(p.panel is not None for p in places)  # room for every face's seven bars


def test_drawing_follows_the_layout(five_faces):
    image = draw(five_faces, WATERMARK)
    places, _ = layout(five_faces, WATERMARK)
    for p in places:  # each label's backdrop is darkened: drawn where the layout put it
        inner = image[p.label.y1 + 2 : p.label.y2 - 2, p.label.x1 + 2 : p.label.x2 - 2]
        assert (
            inner.mean()
            < five_faces.frame.image[p.label.y1 + 2 : p.label.y2 - 2, p.label.x1 + 2 : p.label.x2 - 2].mean()
        )


def test_with_no_room_the_least_overlap_wins():
    face = Rect(0, 0, 90, 90)
    (only,), _, _ = solve((100, 100), [FaceItem(1, face, (60, 20), ((80, 80),), True)], (), 2)
    assert only.label.overlap(only.panel) < 60 * 20  # overlaps, but not entirely
    assert 0 <= only.panel.x1 and only.panel.x2 <= 100
