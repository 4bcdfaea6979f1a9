"""Face front ends side by side: RetinaFace at 320 px and at full frame vs MediaPipe.

    python benchmarks/detectors.py [--frames 120] [--threads 2]

Every detector runs on the same decoded frames of the same videos, interleaved frame by
frame, so that load from other work on the machine hits them alike (the load average is
recorded before and after). MediaPipe's time includes FaceMesh on every face (its five
alignment points and head pose come from the mesh). "Matched" is the share of RetinaFace
full-frame faces that a detector also finds (IoU > 0.5): RetinaFace at full frame is the
reference. Saves benchmarks/results/detectors.json (write-then-rename).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.faces.mediapipe_detect import MediaPipeDetector  # noqa: E402
from cer_live.faces.track import iou_matrix  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402
from cer_live.run.analyser import Analyser, AnalyserOptions  # noqa: E402

VIDEOS = ("WolfgangLanger_Pexels.mp4", "face_noface.mov")
MATCH_IOU = 0.5


def frames(path: Path, count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    out = []
    while len(out) < count:
        ok, frame = capture.read()
        if not ok:
            break
        out.append(frame)
    capture.release()
    return out


def detectors(threads: int, full_side: int) -> dict:
    pack = load_pack("default")
    return {
        "retinaface-320": Analyser(pack, AnalyserOptions(threads=threads, det_size=320)).detector,
        f"retinaface-full({full_side})": Analyser(pack, AnalyserOptions(threads=threads, det_size=full_side)).detector,
        "mediapipe-full-range": MediaPipeDetector("full", threads),
        "mediapipe-short-range": MediaPipeDetector("short", threads),
    }


def boxes(faces) -> np.ndarray:
    return np.array([f.box for f in faces], float).reshape(-1, 4)


def run_video(name: str, count: int, threads: int, progress: Progress) -> dict:
    video = frames(samples.fetch(name), count)
    h, w = video[0].shape[:2]
    dets = detectors(threads, max(h, w))
    reference = next(k for k in dets if k.startswith("retinaface-full"))
    times = {k: [] for k in dets}
    found = {k: [] for k in dets}
    matched = {k: 0 for k in dets}
    task = progress.add_task(name, total=len(video))
    for frame in video:
        seen = {}
        for key, det in dets.items():
            t0 = time.perf_counter()
            seen[key] = det.detect([frame])[0]
            times[key].append((time.perf_counter() - t0) * 1000)
            found[key].append(len(seen[key]))
        ref = boxes(seen[reference])
        for key in dets:
            if len(ref) and len(seen[key]):
                matched[key] += int((iou_matrix(ref, boxes(seen[key])).max(axis=1) > MATCH_IOU).sum())
        progress.advance(task)
    ref_total = sum(found[reference])
    return {
        "video": name,
        "size": f"{w}x{h}",
        "frames": len(video),
        "detectors": {
            key: {
                "ms_p50": round(statistics.median(times[key]), 2),
                "fps": round(1000 / statistics.mean(times[key]), 1),
                "faces_per_frame": round(statistics.mean(found[key]), 3),
                "frames_with_face": round(float(np.mean(np.array(found[key]) > 0)), 3),
                "matched_reference": round(matched[key] / ref_total, 3) if ref_total else None,
            }
            for key in dets
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=120, help="frames per video (default 120)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    console = Console()
    load_before = os.getloadavg()
    with Progress(console=console) as progress:
        results = [run_video(name, args.frames, args.threads, progress) for name in VIDEOS]
    report = {
        "producer": f"{PRODUCER} benchmarks/detectors.py",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_avg_before": load_before,
            "load_avg_after": os.getloadavg(),
        },
        "threads": args.threads,
        "videos": results,
    }
    table = Table("video", "detector", "ms p50", "fps", "faces/frame", "frames with face", "matched")
    for video in results:
        for key, row in video["detectors"].items():
            table.add_row(
                video["video"],
                key,
                str(row["ms_p50"]),
                str(row["fps"]),
                str(row["faces_per_frame"]),
                str(row["frames_with_face"]),
                str(row["matched_reference"]),
            )
    console.print(table)
    console.print(f"load average before {load_before}, after {report['machine']['load_avg_after']}")
    out = ROOT / "benchmarks" / "results" / "detectors.json"
    partial = out.with_suffix(".json.part")
    partial.write_text(json.dumps(report, indent=2) + "\n")
    partial.replace(out)
    console.print(f"saved {out}")


if __name__ == "__main__":
    main()
