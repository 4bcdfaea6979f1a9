"""FrameResult -> JSON-ready records: one schema shared by every structured sink."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..classes import AFFECT_DIMENSIONS, BASIC_CLASSES, COMPOUND_CLASSES, EXTRA_BASIC_CLASSES
from ..messages import FaceResult, FaceScores, FrameResult, StatusEvent


def _named(values: np.ndarray | None, names: tuple[str, ...]) -> dict[str, float] | None:
    if values is None:
        return None
    # tolist() gives the same Python floats as float() per item, in one call
    return {n: round(v, 5) for n, v in zip(names, values.tolist(), strict=False)}


def face_record(result: FrameResult, face: FaceResult) -> dict[str, Any]:
    det = face.detection
    label_id, label, prob = face.smoothed.top
    raw_id, raw_label, raw_prob = face.raw.top
    return {
        "type": "face",
        "frame": result.frame.frame_id,
        "t": round(result.frame.pts, 4),
        "image": result.frame.name,
        "track": face.track_id,
        "protagonist": face.protagonist,
        "box": [round(v, 1) for v in det.box],
        "det_score": round(det.score, 4),
        "det": face.det,
        "landmarks": [[round(x, 1), round(y, 1)] for x, y in det.landmarks],
        "pose": None
        if det.pose is None
        else dict(zip(("yaw", "pitch", "roll"), (round(a, 1) for a in det.pose), strict=False)),
        "pose_ok": face.pose_ok,
        "label": label,
        "label_id": label_id,
        "prob": round(prob, 5),
        "margin": round(face.smoothed.margin, 5),
        "label_raw": raw_label,
        "label_raw_id": raw_id,
        "prob_raw": round(raw_prob, 5),
        "margin_raw": round(face.raw.margin, 5),
        "compound": _named(face.smoothed.compound, COMPOUND_CLASSES),
        "basic": _basic(face.smoothed),
        "compound_raw": _named(face.raw.compound, COMPOUND_CLASSES),
        "basic_raw": _basic(face.raw),
        **_affect(face),
        "fresh": face.fresh,
        "members": _members(face.raw),
        "fallback": face.fallback,
        "fallback_from": face.fallback_from,
        "dropped": result.frame.dropped,
        "latency_ms": _latency(result),
    }


def _basic(scores: FaceScores) -> dict[str, float] | None:
    """The seven basic probabilities, and contempt after them when a member scores it."""
    if scores.basic is None or scores.extra is None:
        return _named(scores.basic, BASIC_CLASSES)
    return _named(np.concatenate([scores.basic, scores.extra]), BASIC_CLASSES + EXTRA_BASIC_CLASSES)


def _affect(face: FaceResult) -> dict[str, float]:
    """valence, arousal (smoothed) and their raw values; no keys at all for packs without them."""
    if face.smoothed.va is None or face.raw.va is None:
        return {}
    out = {name: round(float(v), 5) for name, v in zip(AFFECT_DIMENSIONS, face.smoothed.va, strict=False)}
    out.update({f"{name}_raw": round(float(v), 5) for name, v in zip(AFFECT_DIMENSIONS, face.raw.va, strict=False)})
    return out


def _members(scores: FaceScores) -> dict[str, dict[str, Any] | None] | None:
    """Each member's own vote: label, its probability, and its seven compound probabilities."""
    if scores.member_compound is None:
        return None
    out: dict[str, dict[str, Any] | None] = {}
    for name, probs in zip(scores.members, scores.member_compound, strict=False):
        if not np.isfinite(probs).all():
            out[name] = None  # this member abstained on this face
            continue
        idx = int(np.argmax(probs))
        values = probs.tolist()
        out[name] = {
            "label": COMPOUND_CLASSES[idx],
            "prob": round(values[idx], 5),
            "compound": [round(v, 5) for v in values],
        }
    return out


def empty_record(result: FrameResult) -> dict[str, Any]:
    return {
        "type": "empty",
        "frame": result.frame.frame_id,
        "t": round(result.frame.pts, 4),
        "image": result.frame.name,
        "dropped": result.frame.dropped,
        "latency_ms": _latency(result),
    }


def frame_records(result: FrameResult) -> list[dict[str, Any]]:
    if not result.faces:
        return [empty_record(result)]
    return [face_record(result, face) for face in result.faces]


def _latency(result: FrameResult) -> dict[str, float]:
    return {k: round(v, 3) for k, v in result.stage_ms.items()}


def event_record(event: StatusEvent) -> dict[str, Any]:
    return {
        "type": "status",
        "event": event.kind,
        "source": event.source,
        "wall": event.wall,
        "attempt": event.attempt,
        "detail": event.detail,
    }
