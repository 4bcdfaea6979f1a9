"""Five-CNN ensemble on an NVIDIA GPU: faces/s against batch size, and batch-1 latency.

    python benchmarks/ensemble_gpu.py [--pack PATH] [--backends onnxruntime,torch,tensorrt]

For each backend that loads on `cuda` (ONNX Runtime CUDA with IO binding in fp32 and fp16,
torch FP16, TensorRT FP16 where installed): the whole ensemble (all members, in sequence)
on batches of 1..64 faces, median of 20 timed calls after 5 warm-ups. Goals (issue #4):
>= 5,000 faces/s batched and <= 3 ms at batch 1. Saves benchmarks/results/ensemble_gpu.json
with the GPU's name. Without --pack it reuses the untrained pack benchmarks/ensemble_cpu.py
exports (timings do not depend on the weights).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ensemble_cpu import ensure_pack  # noqa: E402
from cer_live import PRODUCER  # noqa: E402
from cer_live.errors import CerLiveError  # noqa: E402
from cer_live.models import backends  # noqa: E402
from cer_live.models.backends import BackendOptions  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402

BATCHES = (1, 2, 4, 8, 16, 32, 64)


def gpu_name() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return "unknown NVIDIA GPU"


def bench(engines: list, batch: int) -> float:
    x = np.random.default_rng(batch).normal(0, 0.25, (batch, 3, 224, 224)).astype(np.float32)
    for _ in range(5):
        for e in engines:
            e.infer(x)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        for e in engines:
            e.infer(x)  # each call returns host arrays, so the GPU work is finished
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path)
    parser.add_argument(
        "--backends",
        default="onnxruntime:fp32,onnxruntime:fp16,torch:fp16,tensorrt:fp16",
    )
    args = parser.parse_args()
    pack = load_pack(str(ensure_pack(args.pack)))
    results: dict[str, dict] = {}
    for item in args.backends.split(","):
        name, _, precision = item.partition(":")
        options = BackendOptions(device="cuda", precision=precision or "fp16", max_batch=max(BATCHES))
        try:
            engines = [backends.create(name, m.source, options) for m in pack.members]
        except CerLiveError as exc:
            print(f"{item}: skipped ({exc})", flush=True)
            results[item] = {"skipped": str(exc)}
            continue
        rows = {}
        for batch in BATCHES:
            ms = bench(engines, batch)
            rows[batch] = {
                "ms_per_batch": round(ms, 3),
                "faces_per_s": round(batch / ms * 1000, 1),
            }
            print(
                f"{item} batch {batch}: {ms:.2f} ms, {rows[batch]['faces_per_s']:.0f} faces/s",
                flush=True,
            )
        results[item] = {
            "by_batch": rows,
            "batch1_ms": rows[1]["ms_per_batch"],
            "best_faces_per_s": max(r["faces_per_s"] for r in rows.values()),
        }
        for e in engines:
            e.close()
    out = {
        "producer": PRODUCER,
        "benchmark": "benchmarks/ensemble_gpu.py",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "gpu": gpu_name(),
        "pack": pack.name,
        "members": [m.name for m in pack.members],
        "goals": {"faces_per_s": 5000, "batch1_ms": 3.0},
        "results": results,
    }
    path = ROOT / "benchmarks" / "results" / "ensemble_gpu.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
