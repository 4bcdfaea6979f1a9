"""The live window's HUD: it keeps clear of every label and panel, and its figures are honest."""

from __future__ import annotations

import numpy as np

from cer_live.messages import Detection, FaceResult, FaceScores, Frame, FrameResult
from cer_live.sinks.draw import Overlay
from cer_live.sinks.hud import Hud, compose, stage_medians


def _result(fid: int) -> FrameResult:
    """A 640x360 frame with one large face close under the top-left corner, where the HUD is."""
    image = np.full((360, 640, 3), 120, np.uint8)
    compound = np.array([0.05, 0.5, 0.1, 0.05, 0.1, 0.1, 0.1], np.float32)
    scores = FaceScores(compound, np.full(7, 1 / 7, np.float32))
    det = Detection((40.0, 90.0, 200.0, 290.0), 0.99, ((80.0, 150.0),) * 5)
    face = FaceResult(1, det, scores, scores, protagonist=True)
    return FrameResult(Frame(fid, 0.0, fid / 24, image, f"cam/{fid + 1:05d}.jpg"), (face,), {"detect": 4.0})


def _items(layouts):
    return [r for lay in layouts for r in (lay.label, lay.panel) if r is not None]


def test_the_hud_covers_no_label_or_panel():
    overlay, hud = Overlay("cer-live test"), Hud()
    corners = []
    for fid in range(12):
        result = _result(fid)
        image, corner = compose(overlay, hud, result, "smoothed")
        hud.record(fid / 24, 8.0, {"decode": 1.0, "detect": 4.0, "infer": 1.0})
        corners.append(corner)
        (lay,) = overlay.plan(result, (corner,)).layouts  # what was drawn (kept from the frame)
        assert lay.panel is not None
        assert not any(r.intersects(corner) for r in _items([lay])), "the HUD covers a label or panel"
        # the HUD's darkened corner and the panel's backdrop are both drawn: the panel is visible
        assert image[lay.panel.y1 + 3 : lay.panel.y2 - 3, lay.panel.x1 + 3 : lay.panel.x2 - 3].mean() < 100
    assert len(set(corners)) == 1  # the HUD keeps one rectangle, so placement is not redone
    # Without the HUD reserved, the same frame's label would sit where the HUD is.
    (alone,) = Overlay("cer-live test").plan(_result(0)).layouts
    assert any(r.intersects(corners[0]) for r in _items([alone]))


def test_a_stage_that_did_not_run_is_not_a_zero():
    frames = [{"decode": 1.0, "detect": 4.0, "infer": 2.0}] + [{"decode": 1.0, "detect": 4.0}] * 7
    assert stage_medians(frames) == ["decode 1.0", "detect 4.0", "infer 2.0 (1/8)"]
    assert stage_medians([{"detect": 3.0}]) == ["detect 3.0"]  # never ran: not shown at all


def test_the_hud_says_what_it_measures():
    hud = Hud()
    for i in range(30):
        hud.record(i / 24, 10.0 + i % 3, {"detect": 4.0} if i % 8 else {"detect": 4.0, "infer": 2.0})
    lines = hud.lines(dropped=3, mode="smoothed")
    assert lines[0].split()[:2] == ["24.0", "fps"] and "dropped 3" in lines[0]
    assert "p50" in lines[1] and "infer 2.0 (4/30)" in lines[2]
