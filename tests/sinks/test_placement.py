"""Placement kept per track: redone only for the faces that change, and without jumping sides."""

from __future__ import annotations

from dataclasses import replace

from cer_live.sinks.layout import Rect
from cer_live.sinks.placement import FORGET, MOVE, FaceItem, Placements

FRAME = (640, 360)
LABEL = (120, 30)
PANELS = ((150, 90), (110, 70))


def _grid(n: int, dx: int = 0, dy: int = 0) -> list[FaceItem]:
    """n faces of 60 px in a row of cells, shifted by (dx, dy)."""
    out = []
    for i in range(n):
        x, y = 40 + (i % 4) * 150 + dx, 60 + (i // 4) * 170 + dy
        out.append(FaceItem(i + 1, Rect(x, y, x + 60, y + 60), LABEL, PANELS, i == 0))
    return out


def test_a_still_or_jittering_face_is_not_placed_again():
    placements = Placements()
    first = placements.update(FRAME, _grid(8), (), 2)
    assert placements.solved == 8
    for step in range(1, 30):
        jitter = 3 if step % 2 else -3  # a few pixels a frame, as a detector's boxes shake
        again = placements.update(FRAME, _grid(8, jitter, -jitter), (), 2)
        assert [(a.label, a.panel) for a in again] == [(f.label, f.panel) for f in first]
    assert placements.solved == 8  # no face placed again: the cost follows the changes


def test_only_the_faces_that_change_are_placed_again():
    placements = Placements()
    items = _grid(8)
    placements.update(FRAME, items, (), 2)
    moved = list(items)
    face = moved[5].face
    shift = int(MOVE * face.width) + 10
    moved[5] = replace(moved[5], face=face.shifted(shift, 0))
    placements.update(FRAME, moved, (), 2)
    assert placements.solved == 8 + 1
    layouts = placements.update(FRAME, moved, (), 2)
    taken = [r for lay in layouts for r in (lay.face, lay.label, lay.panel) if r is not None]
    spot = next(
        Rect(x, y, x + 30, y + 30)
        for y in range(0, 330, 10)
        for x in range(0, 610, 10)
        if not any(Rect(x, y, x + 30, y + 30).intersects(r) for r in taken)
    )
    newcomer = FaceItem(99, spot, LABEL, PANELS, False)
    placements.update(FRAME, [*moved, newcomer], (), 2)
    assert placements.solved == 8 + 1 + 1  # a track that starts is placed; the others stay
    placements.update(FRAME, moved[:4], (), 2)  # tracks that end are forgotten, the rest stay
    assert placements.solved == 10


def _side(label: Rect, face: Rect) -> str:
    if label.y2 <= face.y1:
        return "above"
    if label.y1 >= face.y2:
        return "below"
    return "right" if label.x1 >= face.x2 else "left"


def test_the_label_keeps_its_side_when_the_face_moves():
    """At the top edge there is no room above, so the label goes beside the face; once the face
    has moved down and above is free again, the label stays where it was rather than jump."""
    placements = Placements()
    item = FaceItem(1, Rect(300, 10, 360, 70), LABEL, (), True)
    (first,) = placements.update(FRAME, [item], (), 2)
    start = _side(first.label, item.face)
    assert start != "above"
    sides = []
    for y in range(10, 200, 20):  # the first where it was, then 20 px steps (over MOVE): placed again each time
        box = Rect(300, y, 360, y + 60)
        (lay,) = placements.update(FRAME, [replace(item, face=box)], (), 2)
        sides.append(_side(lay.label, box))
    assert placements.solved == len(sides) and set(sides) == {start}, sides
    # Without the memory of the last frame, the same face far from the edge gets its label above.
    (fresh,) = Placements().update(FRAME, [replace(item, face=Rect(300, 190, 360, 250))], (), 2)
    assert _side(fresh.label, Rect(300, 190, 360, 250)) == "above"


def test_a_reserved_corner_is_kept_clear():
    hud = Rect(0, 0, 400, 110)
    placements = Placements()
    items = [FaceItem(1, Rect(60, 120, 160, 220), LABEL, PANELS, True)]
    (lay,) = placements.update(FRAME, items, (hud,), 2)
    assert not lay.label.intersects(hud) and lay.panel is not None and not lay.panel.intersects(hud)


def test_a_face_missed_for_a_frame_comes_back_to_its_place():
    placements = Placements()
    items = _grid(4)
    first = placements.update(FRAME, items, (), 2)
    placements.update(FRAME, [], (), 2)  # a frame where the detector saw nobody
    placements.update(FRAME, items[1:], (), 2)  # then one face still missing
    again = placements.update(FRAME, items, (), 2)
    assert placements.solved == 4 and [a.label for a in again] == [f.label for f in first]
    for _ in range(FORGET + 1):  # gone for longer: forgotten, and placed afresh when it is back
        placements.update(FRAME, items[1:], (), 2)
    placements.update(FRAME, items, (), 2)
    assert placements.solved == 5


def test_the_panel_does_not_hop_between_faces_of_one_size():
    """In a crowded frame only the main face has a panel; when the main face flips between
    faces of about the same size, the panel stays where it is."""
    big = ((400, 300),)  # no room for a panel beside every face
    items = [replace(it, panels=big) for it in _grid(8)]
    placements = Placements()
    first = placements.update(FRAME, items, (), 2)
    assert [lay.panel is not None for lay in first] == [True] + [False] * 7
    for step in range(20):
        flipped = [replace(it, lead=i == step % 3) for i, it in enumerate(items)]
        again = placements.update(FRAME, flipped, (), 2)
        assert [lay.panel is not None for lay in again] == [True] + [False] * 7
    assert placements.solved == 8
    # A clearly larger main face takes the panel.
    grown = [replace(it, lead=i == 5) for i, it in enumerate(items)]
    face = grown[5].face
    grown[5] = replace(grown[5], face=Rect(face.x1, face.y1, face.x2 + 40, face.y2 + 40))
    moved = placements.update(FRAME, grown, (), 2)
    assert moved[5].panel is not None and moved[0].panel is None
