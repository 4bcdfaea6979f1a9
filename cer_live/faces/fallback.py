"""Nearest-frame face fallback: a frame with no face borrows the nearest frame's faces.

For files the nearest face may lie ahead, so frames are held in a small look-ahead buffer
(at most `max_age` frames) until the nearest face is known. Live sources look back only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from ..messages import FrameResult


class NearestFaceFallback:
    def __init__(self, max_age: int, look_ahead: bool) -> None:
        self.max_age = max_age
        self.look_ahead = look_ahead
        self._pending: deque[FrameResult] = deque()
        self._last_with_face: FrameResult | None = None

    def push(self, result: FrameResult) -> list[FrameResult]:
        """Results now final, in frame order."""
        self._pending.append(result)
        return self._release(final=False)

    def flush(self) -> list[FrameResult]:
        return self._release(final=True)

    def _release(self, final: bool) -> list[FrameResult]:
        out = []
        while self._pending:
            front = self._pending[0]
            if front.faces or self.max_age <= 0:
                out.append(self._emit())
                continue
            ahead = self._next_with_face()
            horizon_known = (
                not self.look_ahead
                or final
                or ahead is not None
                or self._pending[-1].frame.frame_id - front.frame.frame_id >= self.max_age
            )
            if not horizon_known:
                break
            self._pending.popleft()
            out.append(self._borrow(front, ahead if self.look_ahead else None))
        return out

    def _emit(self) -> FrameResult:
        result = self._pending.popleft()
        if result.faces:
            self._last_with_face = result
        return result

    def _next_with_face(self) -> FrameResult | None:
        for r in self._pending:
            if r.faces:
                return r
        return None

    def _borrow(self, empty: FrameResult, ahead: FrameResult | None) -> FrameResult:
        fid = empty.frame.frame_id
        candidates = []
        if self._last_with_face is not None:
            candidates.append((fid - self._last_with_face.frame.frame_id, 0, self._last_with_face))
        if ahead is not None:
            candidates.append((ahead.frame.frame_id - fid, 1, ahead))
        candidates = [c for c in candidates if c[0] <= self.max_age]
        if not candidates:
            return empty
        _, _, source = min(candidates, key=lambda c: (c[0], c[1]))  # ties go to the past
        # Only frames with detected faces become sources, so a borrowed face is never borrowed twice.
        faces = tuple(replace(face, fallback=True, fallback_from=source.frame.frame_id) for face in source.faces)
        return replace(empty, faces=faces)
