"""Placement kept per track: solved once, then kept while its face stays put.

From scratch (a first frame, a picture) every face is placed with one panel size for the
frame: the largest size at which every panel finds a free place and the panels cover less
than `BODY_SHARE` of the people; failing that, only the main face keeps a panel. Later
frames keep a track's label and panel where they were while its face moves less than a
fraction of its size, its label still fits and nothing now covers them; only the tracks
that start, move or grow are placed again, around the others, at the frame's panel size,
each preferring the place it had before (hysteresis: a label does not jump above and below
its face from frame to frame). So the cost per frame follows the faces that changed, not
every pair of faces in view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .layout import Board, FaceLayout, Pick, Rect, body_of, leader

MOVE = 0.25  # a face moving or growing by more than this fraction of its size is placed again...
MOVE_PX = 16  # ...or by more than this many pixels (a large face's label would drift too far)
JITTER = 0.1  # a kept label or panel may overlap a face by this fraction of its size...
JITTER_PX = 4  # ...up to this many pixels, before it moves
BODY_SHARE = 0.3  # panels covering more of the people than this shrink, while a smaller size is left
ORDERS = 3  # greedy orders tried per panel size when placing from scratch
FORGET = 12  # frames a track may be missing before its placement is forgotten
HOLD = 0.8  # the last main face stays main while its face is at least this share of the new one's area


@dataclass(frozen=True)
class FaceItem:
    """What placement needs of one face: its box, its label's size, the frame's panel sizes (largest first)."""

    track: int
    face: Rect
    label: tuple[int, int]
    panels: tuple[tuple[int, int], ...]
    lead: bool  # the main face: it keeps a panel when the others cannot


@dataclass(frozen=True)
class _Kept:
    item: FaceItem
    layout: FaceLayout
    free: bool  # placed overlapping nothing; a crowded frame's best effort is kept as it is


def _relative(old: FaceLayout, rect: Rect | None) -> tuple[int, int] | None:
    return None if rect is None else (rect.x1 - old.face.x1, rect.y1 - old.face.y1)


def _place_face(
    board: Board, item: FaceItem, choice: int | None, before: _Kept | None, force: bool
) -> tuple[FaceLayout, float]:
    """Label, then the panel at size `choice` (None: no panel), for one face; the cost of
    what could not be free. A panel that is not free is left out unless `force`."""
    old = before.layout if before is not None else None
    label = board.place(item.face, [], item.label, _relative(old, old.label) if old else None)
    board.add(label)
    if choice is None or not item.panels:
        return FaceLayout(item.face, label.rect, None), label.hard
    prefer = _relative(old, old.panel) if old is not None and old.choice == choice else None
    panel = board.place(item.face, [label.rect], item.panels[choice], prefer)
    if panel.hard > 0 and not force:
        return FaceLayout(item.face, label.rect, None), label.hard + 1.0
    board.add(panel)
    return FaceLayout(item.face, label.rect, panel.rect, choice), label.hard + panel.hard


def _orders(items: list[FaceItem]) -> list[list[int]]:
    """The main face first, then by size, top and left (greedy placement depends on who goes first)."""
    keys = (
        lambda it: (-it.lead, -it.face.width * it.face.height),
        lambda it: (-it.lead, it.face.y1),
        lambda it: (-it.lead, it.face.x1),
    )
    orders: list[list[int]] = []
    for key in keys[:ORDERS]:
        order = sorted(range(len(items)), key=lambda k: key(items[k]))
        if order not in orders:
            orders.append(order)
    return orders


def _body_share(frame: tuple[int, int], layouts: list[FaceLayout]) -> float:
    bodies = [body_of(lay.face, frame) for lay in layouts]
    items = [r for lay in layouts for r in (lay.label, lay.panel) if r is not None]
    total = sum(b.width * b.height for b in bodies)
    return sum(b.overlap(r) for b in bodies for r in items) / total if total else 0.0


def _attempt(
    frame: tuple[int, int], items: list[FaceItem], reserved: tuple[Rect, ...], gap: int, choice: int, lead_only: bool
) -> tuple[list[FaceLayout], list[float]] | None:
    """The best of a few greedy orders with every panel at size `choice` (or the main face's
    only); with every panel wanted, None as soon as no order can give each one a free place."""
    best: tuple[float, list[FaceLayout], list[float]] | None = None
    for order in _orders(items):
        board = Board(frame, [it.face for it in items], reserved, gap)
        out: dict[int, tuple[FaceLayout, float]] = {}
        for i in order:
            wanted = choice if items[i].lead or not lead_only else None
            out[i] = _place_face(board, items[i], wanted, None, force=lead_only and items[i].lead)
            if not lead_only and out[i][0].panel is None:
                break  # this order cannot fit every panel; the next may
        else:
            costs = [out[i][1] for i in range(len(items))]
            if best is None or sum(costs) < best[0]:
                best = (sum(costs), [out[i][0] for i in range(len(items))], costs)
            if best[0] == 0:
                break
    return None if best is None else (best[1], best[2])


def solve(
    frame: tuple[int, int], items: list[FaceItem], reserved: tuple[Rect, ...], gap: int
) -> tuple[list[FaceLayout], list[float], int]:
    """Every face placed from scratch (see the module); the layouts, their costs and the panel size taken."""
    sizes = len(items[0].panels) if items else 0
    for choice in range(sizes):
        tried = _attempt(frame, items, reserved, gap, choice, lead_only=False)
        if tried is None:
            continue
        layouts, costs = tried
        if sum(costs) == 0 and (_body_share(frame, layouts) <= BODY_SHARE or choice == sizes - 1):
            return layouts, costs, choice
    last = max(0, sizes - 1)
    tried = _attempt(frame, items, reserved, gap, last, lead_only=True)
    assert tried is not None
    return tried[0], tried[1], last


def _area(r: Rect) -> int:
    return max(0, r.width) * max(0, r.height)


def _depth(a: Rect, b: Rect) -> int:
    """How far two rectangles overlap, along the shallower direction (0 when apart)."""
    return max(0, min(min(a.x2, b.x2) - max(a.x1, b.x1), min(a.y2, b.y2) - max(a.y1, b.y1)))


def _moved(old: Rect, new: Rect) -> bool:
    size = max(old.width, old.height, 1)
    shift = max(abs(old.x1 - new.x1), abs(old.y1 - new.y1), abs(old.x2 - new.x2), abs(old.y2 - new.y2))
    return shift > min(MOVE * size, MOVE_PX)


class Placements:
    """One source's overlay placement, kept across frames per track (see the module)."""

    def __init__(self) -> None:
        self._kept: dict[int, _Kept] = {}
        self._seen: dict[int, int] = {}  # track -> the last frame it was in
        self._scene: tuple = ()
        self._choice = 0
        self._holder: int | None = None  # the track treated as the main face last frame
        self._frame = 0
        self.solved = 0  # faces placed again so far (for tests and profiles)

    def update(
        self, frame: tuple[int, int], items: list[FaceItem], reserved: tuple[Rect, ...], gap: int
    ) -> list[FaceLayout]:
        self._frame += 1
        if not items:  # a frame without faces changes nothing: the tracks may be back next frame
            return []
        items = self._steady_lead(items)
        if self._scene != (frame, reserved, gap, items[0].panels):
            self._kept.clear()
            self._scene = (frame, reserved, gap, items[0].panels)
        faces = [it.face for it in items]
        kept = {it.track: self._kept.get(it.track) for it in items}
        clean = {it.track for it in items if self._still(kept[it.track], it, faces)}
        if not any(kept.values()):  # nothing to keep or to remember: a first frame, or a new scene
            layouts, costs, self._choice = solve(frame, items, reserved, gap)
        else:
            layouts, costs = self._around(frame, items, kept, clean, reserved, gap)
        self.solved += len(items) - len(clean)
        for it, lay, cost in zip(items, layouts, costs, strict=True):
            before = kept[it.track]  # (as _around may have left it)
            self._kept[it.track] = before if it.track in clean and before is not None else _Kept(it, lay, cost == 0)
            self._seen[it.track] = self._frame
        # A track missing for a few frames (a missed detection) keeps its place for when it is back.
        for track in [t for t, last in self._seen.items() if self._frame - last > FORGET]:
            del self._seen[track]
            self._kept.pop(track, None)
        return layouts

    def _steady_lead(self, items: list[FaceItem]) -> list[FaceItem]:
        """The main face as given, unless the face that was main before is still in view and
        nearly as large: then it stays main, so that a panel kept for the main face alone does
        not hop between faces of about the same size from frame to frame."""
        lead = next((it for it in items if it.lead), None)
        held = next((it for it in items if it.track == self._holder), None)
        if lead is not None and held is not None and held is not lead:
            if _area(held.face) >= HOLD * _area(lead.face):
                items = [replace(it, lead=it is held) for it in items]
        self._holder = next((it.track for it in items if it.lead), None)
        return items

    def _still(self, kept: _Kept | None, item: FaceItem, faces: list[Rect]) -> bool:
        """Whether a track's placement can stay as it is this frame."""
        if kept is None or (item.lead and kept.layout.panel is None and kept.item.panels):
            return False  # the main face needs the panel it did not have
        old = kept.layout
        if item.label[0] > old.label.width or item.label[1] != old.label.height or _moved(old.face, item.face):
            return False
        if not kept.free:
            return True
        # A face shaking by a few pixels may touch its label: only a deeper overlap moves it.
        slack = max(2, min(int(JITTER * max(item.face.width, item.face.height)), JITTER_PX))
        rects = [r for r in (old.label, old.panel) if r is not None]
        return not any(_depth(r, f) > slack for r in rects for f in faces)

    def _around(
        self,
        frame: tuple[int, int],
        items: list[FaceItem],
        kept: dict[int, _Kept | None],
        clean: set[int],
        reserved: tuple[Rect, ...],
        gap: int,
    ) -> tuple[list[FaceLayout], list[float]]:
        """The tracks that changed, placed around those that did not."""
        board = Board(frame, [it.face for it in items], reserved, gap)
        out: dict[int, tuple[FaceLayout, float]] = {}
        for i, it in enumerate(items):
            k = kept[it.track]
            if it.track in clean and k is not None:
                old = k.layout
                if old.panel is not None and not it.lead and not k.free:
                    # a panel forced in for the main face, which this face no longer is: it goes
                    old = replace(old, panel=None)
                    kept[it.track] = replace(k, layout=old)
                out[i] = (FaceLayout(it.face, old.label, old.panel, old.choice), 0.0 if k.free else 1.0)
                for rect in (old.label, old.panel):
                    if rect is not None:
                        board.add(Pick(rect, 0.0, leader(it.face, rect, 2 * gap)))
        dirty = [i for i in range(len(items)) if i not in out]
        for i in sorted(dirty, key=lambda j: (-items[j].lead, -items[j].face.width * items[j].face.height)):
            it = items[i]
            out[i] = _place_face(board, it, self._choice, kept[it.track], force=it.lead)
        return [out[i][0] for i in range(len(items))], [out[i][1] for i in range(len(items))]
