"""`--detect auto` on a moving camera: a 1280x720 group video that pans and zooms.

    python benchmarks/moving_camera.py [--repeats 2] [--frames 150]

The camera moves over a wide picture of real faces (the group photo `multi_face.jpg` and its
mirror image side by side, enlarged 1.6x: ten faces, 60-110 px tall in view): it pans across
at 12 px a frame with a slow vertical drift and zooms in and out by 25%, so faces leave and
enter at the edges and every pixel of the background moves on every frame. Each mode runs
through the real `Run` (JSONL and CSV, no annotated video), interleaved, `--repeats` times;
the median fps is kept. `auto`'s face rows are matched to those of `--detect full --det-size
1280` (the whole frame at its own size on every frame: the reference), as in
benchmarks/detect_schedule.py. Records the machine and its load average. Saves
benchmarks/results/moving_camera.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.detect_schedule import machine, run_once  # noqa: E402
from benchmarks.scenes import agreement, face_rows  # noqa: E402
from cer_live import PRODUCER, samples  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "moving_camera.json"
SIZE = (1280, 720)


def wide_picture() -> np.ndarray:
    photo = cv2.imread(str(samples.fetch("multi_face.jpg")))
    wide = np.concatenate([photo, photo[:, ::-1]], axis=1)
    return cv2.resize(wide, None, fx=1.6, fy=1.6, interpolation=cv2.INTER_CUBIC)


def camera(t: int, frames: int, picture_hw: tuple[int, int]) -> np.ndarray:
    """The 2x3 matrix taking the picture to frame t's view (pan, drift, zoom)."""
    height, width = picture_hw
    zoom = 1.0 + 0.25 * np.sin(2 * np.pi * t / frames)
    view_w, view_h = SIZE[0] / zoom, SIZE[1] / zoom
    cx = view_w / 2 + (width - view_w) * min(1.0, 12.0 * t / max(1.0, width - view_w))
    cy = height / 2 + 0.15 * (height - view_h) * np.sin(2 * np.pi * t / (frames / 2))
    return np.float32([[zoom, 0, SIZE[0] / 2 - zoom * cx], [0, zoom, SIZE[1] / 2 - zoom * cy]])


def build(path: Path, frames: int) -> Path:
    picture = wide_picture()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 24.0, SIZE)
    try:
        for t in range(frames):
            view = camera(t, frames, picture.shape[:2])
            writer.write(cv2.warpAffine(picture, view, SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT))
    finally:
        writer.release()
    return path


def compare(video: Path, repeats: int, tmp: Path) -> dict:
    modes = {"full_1280": {"detect": "full", "det_size": SIZE[0]}, "auto": {"detect": "auto"}}
    fps: dict[str, list[float]] = {m: [] for m in modes}
    last: dict[str, tuple[dict, list[dict]]] = {}
    for _ in range(repeats):
        for mode, options in modes.items():
            last[mode] = run_once(video, tmp / mode, **options)
            fps[mode].append(last[mode][0]["fps"])
    out: dict = {"video": video.name, "size": f"{SIZE[0]}x{SIZE[1]}", "frames": last["auto"][0]["frames"]}
    for mode in modes:
        figures = dict(last[mode][0], fps_runs=fps[mode], fps=statistics.median(fps[mode]))
        out[mode] = figures
    agree = agreement(face_rows(last["full_1280"][1]), face_rows(last["auto"][1]))
    out["auto"]["vs_full_1280"] = {**asdict(agree), "kept_share": round(agree.kept_share, 4)}
    out["auto_over_full"] = round(out["auto"]["fps"] / out["full_1280"]["fps"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--frames", type=int, default=150)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        result = compare(build(tmp / "pan_zoom_1280x720.mp4", args.frames), args.repeats, tmp)
    auto, full = result["auto"], result["full_1280"]
    print(
        f"1280x720 moving camera, {result['frames']} frames: auto {auto['fps']:.1f} fps, full {full['fps']:.1f} fps "
        f"({result['auto_over_full']}x); auto keeps {auto['vs_full_1280']['kept_share']:.1%} of full's face rows; "
        f"auto's rows by kind {auto['det_rows']}, detector calls {auto['calls']}"
    )
    saved = {
        "producer": PRODUCER,
        "benchmark": "benchmarks/moving_camera.py",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "repeats": args.repeats,
        "targets": {"auto_fps_min": 60, "kept_share_min": 0.98},
        "result": result,
    }
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
