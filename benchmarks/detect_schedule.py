"""`--detect auto` against `--detect full`: speed, and how many of full's face rows auto keeps.

    python benchmarks/detect_schedule.py [--repeats 2] [--frames 192]

Builds videos of real faces (benchmarks/scenes.py: faces 40-150 px tall, moving, entering and
leaving, a scene cut, six faces entering at once) at 1280x720 and 1920x1080, and takes the
640x360 sample video. Each runs through the real `Run` (JSONL and CSV, no annotated video)
with `--detect full` at the frame's own resolution (the reference), `--detect full` at the
pack's default input size (today's default), and `--detect auto`, interleaved, `--repeats`
times; the median fps is kept. Auto's rows are matched to the reference's (same frame, box
IoU >= 0.5) and its landmarks compared. The worst case is reported from the same runs: the
frames right after the cut and right after six faces enter at once. Records the machine and
its load average (the machine is shared). Saves benchmarks/results/detect_schedule.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scenes import agreement, build_scene, face_rows  # noqa: E402
from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.run.run import Run, RunConfig  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "detect_schedule.json"
WINDOW = 12  # frames after the cut and after the mass entry that make the worst case


def run_once(video: Path, out: Path, **options) -> tuple[dict, list[dict]]:
    summary = Run(RunConfig(sources=(str(video),), out=out, video=False, overwrite=True, **options)).execute()
    (report,) = summary.sources
    records = [json.loads(line) for line in (out / f"{video.stem}.jsonl").read_text().splitlines()]
    stages = report.stages
    figures = {
        "fps": round(report.fps, 1),
        "frames": report.frames,
        "face_rows": report.face_rows,
        "det_rows": report.det_rows,
        "detect_ms_p50": stages["detect"]["p50"],
        "detect_ms_mean": stages["detect"]["mean"],
        "detect_ms_p95": stages["detect"]["p95"],
        "calls": {k[len("detect_") :]: v["n"] for k, v in stages.items() if k.startswith("detect_")},
    }
    return figures, records


def window(rows: dict[int, list[dict]], start: int, length: int) -> dict[int, list[dict]]:
    return {f: r for f, r in rows.items() if start <= f < start + length}


def frame_detect_ms(records: list[dict], start: int, length: int) -> float:
    """The slowest detect stage of a frame in the window (ms)."""
    seen = [
        r["latency_ms"].get("detect", 0.0) for r in records if "frame" in r and start <= r["frame"] < start + length
    ]
    return round(max(seen), 1) if seen else 0.0


def compare(video: Path, repeats: int, tmp: Path, worst: tuple[int, ...]) -> dict:
    import cv2

    capture = cv2.VideoCapture(str(video))
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    capture.release()
    modes = {
        "full_native": {"detect": "full", "det_size": max(width, height)},
        "full_320": {"detect": "full"},
        "auto": {"detect": "auto"},
    }
    fps: dict[str, list[float]] = {m: [] for m in modes}
    last: dict[str, tuple[dict, list[dict]]] = {}
    for _ in range(repeats):
        for mode, options in modes.items():  # interleaved, so load changes hit every mode alike
            last[mode] = run_once(video, tmp / mode, **options)
            fps[mode].append(last[mode][0]["fps"])
    ref, auto = face_rows(last["full_native"][1]), face_rows(last["auto"][1])
    out = {"video": video.name, "size": f"{width}x{height}", "frames": last["auto"][0]["frames"]}
    for mode in modes:
        figures = dict(last[mode][0])
        figures["fps_runs"] = fps[mode]
        figures["fps"] = statistics.median(fps[mode])
        if mode != "full_native":
            agree = agreement(ref, face_rows(last[mode][1]))
            figures["vs_full_native"] = {**asdict(agree), "kept_share": round(agree.kept_share, 4)}
        out[mode] = figures
    out["worst_case"] = {
        f"frames_{start}_{start + WINDOW - 1}": {
            "kept_share": round(agreement(window(ref, start, WINDOW), window(auto, start, WINDOW)).kept_share, 4),
            "auto_slowest_detect_ms": frame_detect_ms(last["auto"][1], start, WINDOW),
            "full_native_slowest_detect_ms": frame_detect_ms(last["full_native"][1], start, WINDOW),
        }
        for start in worst
    }
    return out


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--frames", type=int, default=192)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    load_before = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        worst = (args.frames // 2, args.frames * 3 // 4)  # the cut; six faces entering at once
        for width, height in ((1280, 720), (1920, 1080)):
            video = build_scene(tmp / f"scene_{width}x{height}.mp4", width, height, args.frames)
            results.append(compare(video, args.repeats, tmp / f"{width}", worst))
            print_row(results[-1])
        results.append(compare(samples.fetch("WolfgangLanger_Pexels.mp4"), args.repeats, tmp / "sample", ()))
        print_row(results[-1])
    saved = {
        "producer": PRODUCER,
        "benchmark": "benchmarks/detect_schedule.py",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "repeats": args.repeats,
        "scene_frames": args.frames,
        "pack": "default",
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    partial = RESULTS.with_suffix(".json.partial")
    partial.write_text(json.dumps(saved, indent=2) + "\n")
    partial.replace(RESULTS)
    print(
        f"saved {RESULTS.relative_to(ROOT)}; load average before {saved['load_average_before']}, after {saved['load_average_after']}"
    )


def print_row(r: dict) -> None:
    auto = r["auto"]
    kept = auto["vs_full_native"]
    print(
        f"{r['video']} {r['size']}: full native {r['full_native']['fps']:.1f} fps, full 320 {r['full_320']['fps']:.1f} fps "
        f"(keeps {r['full_320']['vs_full_native']['kept_share']:.1%}), auto {auto['fps']:.1f} fps (keeps {kept['kept_share']:.1%}, "
        f"landmarks p50 {kept['landmark_px_p50']} px p95 {kept['landmark_px_p95']} px), rows {auto['det_rows']}"
    )
    for name, w in r.get("worst_case", {}).items():
        print(
            f"  worst case {name}: kept {w['kept_share']:.1%}, slowest detect auto {w['auto_slowest_detect_ms']} ms, full {w['full_native_slowest_detect_ms']} ms"
        )


if __name__ == "__main__":
    main()
