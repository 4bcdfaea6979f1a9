"""The overlay's rectangles, computed from the layout: nothing overlaps on the five-face sample."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from cer_live.faces.state import FaceOptions, SourceFaces
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.sinks.draw import Style, draw, layout
from cer_live.sinks.layout import Rect, body_of, leader
from cer_live.sinks.placement import FaceItem, solve
from cer_live.sinks.style import panel_scale, panel_size

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


def _scaled(result, size):
    """The same faces on a frame of another size (None: as it is)."""
    if size is None:
        return result
    sx, sy = size[0] / result.frame.image.shape[1], size[1] / result.frame.image.shape[0]
    faces = tuple(
        replace(
            f,
            detection=replace(
                f.detection, box=tuple(v * s for v, s in zip(f.detection.box, (sx, sy, sx, sy), strict=True))
            ),
        )
        for f in result.faces
    )
    return replace(result, frame=replace(result.frame, image=cv2.resize(result.frame.image, size)), faces=faces)


SIZES = [None, (640, 427), (1620, 1080)]


@pytest.mark.parametrize("size", SIZES)
def test_labels_and_panels_on_five_faces_overlap_nothing(five_faces, size):
    result = _scaled(five_faces, size)
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


@pytest.mark.parametrize("size", SIZES)
def test_no_leader_line_crosses_another_faces_label_or_panel(five_faces, size):
    result = _scaled(five_faces, size)
    places, _ = layout(result, WATERMARK)
    style = Style.for_frame(result.frame.image.shape[1], result.frame.image.shape[0])
    lines = 0
    for p in places:
        for rect in (p.label, p.panel):
            seg = leader(p.face, rect, 2 * style.pad) if rect is not None else None
            if seg is None:
                continue
            lines += 1
            t = np.linspace(0, 1, 400)[:, None]
            points = np.array(seg[:2]) + (np.array(seg[2:]) - np.array(seg[:2])) * t
            for q in places:
                for other in (q.label, q.panel):
                    if q is p or other is None:
                        continue
                    inside = (points[:, 0] > other.x1) & (points[:, 0] < other.x2)
                    inside &= (points[:, 1] > other.y1) & (points[:, 1] < other.y2)
                    assert not inside.any(), f"the line from face {p.face} crosses another face's {other}"
    assert lines > 0 or size is not None  # the full-size picture has lines to check


def _mask(shape, rects):
    mask = np.zeros(shape[:2], bool)
    for r in rects:
        mask[max(0, r.y1) : r.y2, max(0, r.x1) : r.x2] = True
    return mask


def test_on_five_faces_panels_shrink_and_leave_the_people_visible(five_faces):
    places, scales = layout(five_faces, WATERMARK)
    shape = five_faces.frame.image.shape
    style = Style.for_frame(shape[1], shape[0])
    full = panel_size(style, panel_scale(style, 1.0))
    assert all(p.panel is not None for p in places)  # every face keeps its bars...
    assert all(p.panel.height < full[1] and p.panel.width < full[0] for p in places)  # ...smaller
    assert len(set(scales)) == 1  # ...all at one size
    bodies = _mask(shape, [body_of(p.face, (shape[1], shape[0])) for p in places])
    covered = _mask(shape, _rects(places)) & bodies
    # full-size panels covered 58 % of them; shrunk and placed away from them, 18 %
    assert covered.sum() / bodies.sum() < 0.3, covered.sum() / bodies.sum()


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
