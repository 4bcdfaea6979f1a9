"""A CLIP text-class member (ViT-B-32) on the CPU: time per face against the default pack's CNN.

    python benchmarks/text_classes_cpu.py [--pack PATH] [--rounds 7] [--threads 2]

Without --pack, a ViT-B-32 pack is built once from random weights (timings do not depend on
the weights) into the cache folder; needs the export extra. At each batch size the two members
are timed back to back on real aligned faces of the sample video; medians of the rounds are kept.
Saves benchmarks/results/text_classes_cpu.json.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER  # noqa: E402
from cer_live.bench.machine import cpu_model  # noqa: E402
from cer_live.cache import cache_dir  # noqa: E402
from cer_live.export.faces import collect_faces, default_sources  # noqa: E402
from cer_live.models import backends  # noqa: E402
from cer_live.models.backends import BackendOptions  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402
from cer_live.models.preprocess import to_tensor  # noqa: E402


def ensure_pack(path: Path | None) -> Path:
    if path is not None:
        return path
    root = cache_dir() / "bench_packs"
    if not (root / "clip_b32" / "pack.json").is_file():
        import torch

        from cer_live.export.class_text import default_classes_path
        from cer_live.export.clip_weights import create_clip
        from cer_live.export.text_classes import TextClassOptions, build_text_class_pack

        torch.manual_seed(0)
        weights = root / "vit_b_32_random.pt"
        root.mkdir(parents=True, exist_ok=True)
        torch.save(create_clip("ViT-B-32").state_dict(), weights)
        build_text_class_pack(
            TextClassOptions("ViT-B-32", weights, default_classes_path(), "clip_b32", out_root=root, force=True)
        )
        weights.unlink()
    return root / "clip_b32"


def per_face_ms(engine, x, rounds: int) -> float:
    engine.infer(x)  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        engine.infer(x)
        times.append((time.perf_counter() - t0) * 1000 / len(x))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", type=Path, default=None)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    clip = load_pack(str(ensure_pack(args.pack))).members[0]
    cnn = load_pack("default").members[0]
    load_before = os.getloadavg()
    rows = []
    for batch in (1, 4, 8):
        timings: dict[str, list[float]] = {"clip": [], "cnn": []}
        for spec, key in ((clip, "clip"), (cnn, "cnn")):
            crops = collect_faces(default_sources()[:1], batch, spec.template, spec.size, stride=20)
            x = to_tensor(crops, spec.colour, spec.mean, spec.std)
            engine = backends.create("onnxruntime", spec.model, BackendOptions(threads=args.threads))
            timings[key].append(per_face_ms(engine, x, args.rounds))
            engine.close()
        row = {"batch": batch, "clip_ms_per_face": timings["clip"][0], "cnn_ms_per_face": timings["cnn"][0]}
        row["ratio"] = row["clip_ms_per_face"] / row["cnn_ms_per_face"]
        rows.append(row)
        print(
            f"batch {batch}: CLIP ViT-B-32 {row['clip_ms_per_face']:.1f} ms/face, "
            f"mini-Xception {row['cnn_ms_per_face']:.2f} ms/face ({row['ratio']:.0f}x)"
        )
    result = {
        "producer": f"{PRODUCER} benchmarks/text_classes_cpu.py",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform()},
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "threads": args.threads,
        "rounds": args.rounds,
        "members": {"clip": clip.name, "cnn": cnn.name},
        "rows": rows,
    }
    out = ROOT / "benchmarks" / "results" / "text_classes_cpu.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
