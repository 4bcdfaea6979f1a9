"""The stage breakdown: every runtime stage timed on its own, frame by frame, over repeats.

Stages run one after another on one thread so that each is timed alone (the pipeline
overlaps them across threads; `endtoend.py` measures that). The ensemble is timed both as
its parts (alignment, each member, fusion) and whole (`Ensemble.score`), on the same faces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import runtime
from .clock import timed
from .stats import summarise

ORDER = ("decode", "detect", "track", "align", "infer", "fuse", "ensemble", "smooth", "draw", "encode")
FACE_STAGES = ("align", "infer", "fuse", "ensemble")  # only frames with at least one face


def _ensemble_parts(analyser: runtime.Analyser, image: np.ndarray, dets: tuple, out: dict[str, list[float]]) -> None:
    ensemble = analyser.ensemble
    compound: dict[int, np.ndarray] = {}
    align_ms = infer_ms = 0.0
    for group in runtime.preprocess_groups(ensemble):
        tensor, ms = timed(lambda: runtime.member_tensor(ensemble.members[group[0]], image, dets))
        align_ms += ms
        for index in group:
            member = ensemble.members[index]
            (c, _), ms = timed(lambda: member.run(tensor))
            compound[index] = c
            out[f"infer:{member.spec.name}"].append(ms)
            infer_ms += ms
    stack = np.stack([compound[i] for i in range(len(ensemble.members))])
    _, fuse_ms = timed(lambda: runtime.fuse(stack, analyser.pack.fusion, ensemble.weights))
    out["align"].append(align_ms)
    out["infer"].append(infer_ms)
    out["fuse"].append(fuse_ms)


def _frame(
    analyser: runtime.Analyser, frame: runtime.Frame, faces: runtime.SourceFaces, sink: Any, out: dict[str, list[float]]
) -> None:
    image = frame.image
    out["decode"].append(frame.decode_ms)
    dets, ms = timed(lambda: runtime.detect(analyser, image))
    out["detect"].append(ms)
    scores: tuple = ()
    if dets:
        _ensemble_parts(analyser, image, dets, out)
        (scores, _), ms = timed(lambda: analyser.ensemble.score(image, dets))
        out["ensemble"].append(ms)
        out["faces"].append(float(len(dets)))
    # The face state times its own parts: tracking (with the schedule), then smoothing and the fallback.
    results = runtime.step(faces, frame, dets, scores)
    for result in results:
        out["track"].append(result.stage_ms["track"])
        out["smooth"].append(result.stage_ms["post"])
        # The video sink's own overlay, which keeps placement and labels from frame to frame.
        image, draw_ms = timed(lambda: sink.overlay.draw(result))
        _, encode_ms = timed(lambda: sink.write_image(image, result.frame.pts))
        out["draw"].append(draw_ms)
        out["encode"].append(encode_ms)


def one_pass(
    analyser: runtime.Analyser, video: Path, limit: int, scratch: Path, tick: Callable[[], None]
) -> dict[str, list[float]]:
    """Every stage on the first `limit` frames of the video (0 = all), in frame order."""
    out: dict[str, list[float]] = defaultdict(list)
    source = runtime.open_file(video, limit)
    sink = runtime.video_sink(scratch / "stages.mp4", source.fps)
    faces = runtime.source_faces(look_ahead=False)
    try:
        for frame in source.frames():
            # The first frame is decoded when the file opens and opens the video writer:
            # one-off costs, so it runs but is not counted.
            _frame(analyser, frame, faces, sink, out if frame.frame_id else defaultdict(list))
            tick()
    finally:
        sink.close()
        source.close()
    return out


def breakdown(
    analyser: runtime.Analyser,
    video: Path,
    limit: int,
    repeats: int,
    warmup: int,
    scratch: Path,
    tick: Callable[[], None],
) -> dict[str, Any]:
    """Per-stage figures over `repeats` passes, after a warm-up pass that is not kept."""
    one_pass(analyser, video, warmup, scratch, lambda: None)
    passes = [one_pass(analyser, video, limit, scratch, tick) for _ in range(repeats)]
    names = [s for s in ORDER if passes[0].get(s)]
    names += sorted(s for s in passes[0] if s.startswith("infer:"))
    frames = len(passes[0]["decode"])
    stages = {}
    for name in names:
        unit = "frame with faces" if name in FACE_STAGES or name.startswith("infer:") else "frame"
        # A stage runs only on some frames (no face: no alignment); its figures are over the
        # frames it ran on, and `of_frames` says how many there were to run on.
        stages[name] = {**summarise([p[name] for p in passes], unit), "of_frames": frames * len(passes)}
    faces = [f for p in passes for f in p.get("faces", [])]
    return {
        "frames_per_repeat": frames,
        "frames_with_faces": len(passes[0].get("faces", [])),
        "faces_per_frame_median": float(np.median(faces)) if faces else 0.0,
        "stages": stages,
        "samples": {name: [round(v, 4) for p in passes for v in p[name]] for name in names},
    }


def ensemble_vs_members(breakdown_result: dict[str, Any]) -> dict[str, Any] | None:
    """The whole ensemble against the sum of its members, on the same faces (medians, ms)."""
    stages = breakdown_result["stages"]
    if "ensemble" not in stages:
        return None
    members = {k.split(":", 1)[1]: v["p50"] for k, v in stages.items() if k.startswith("infer:")}
    summed = stages["infer"]["p50"]
    parts = stages["align"]["p50"] + summed + stages["fuse"]["p50"]
    whole = stages["ensemble"]["p50"]
    return {
        "faces_per_frame_median": breakdown_result["faces_per_frame_median"],
        "members_p50_ms": members,
        "members_sum_p50_ms": summed,
        "ensemble_p50_ms": whole,
        "ratio_to_members_sum": round(whole / summed, 3) if summed else None,
        "ratio_to_align_members_fuse": round(whole / parts, 3) if parts else None,
        "note": "Ensemble.score includes alignment, preprocessing, every member and fusion; the members' sum is their standalone inference",
    }
