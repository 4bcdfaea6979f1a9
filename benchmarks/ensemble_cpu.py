"""Five-CNN ensemble on the CPU: per-face cost against the members' standalone cost.

    python benchmarks/ensemble_cpu.py [--pack PATH] [--rounds 5] [--threads 2]

Target (issue #4): for the ensemble on a batch of faces, time per face <= 1.10x the sum of
the members' standalone times, measured in the same run. Rounds interleave the standalone
members and the ensemble so that drift on a noisy machine hits both alike; medians are kept.

Also measured, because on two cores nothing should be assumed:
- batch size 1..16 per face (members alone),
- members one after another with 2 threads each vs two at a time with 1 thread each,
- the fused single graph (when the pack has one) vs separate sessions.

Without --pack, an untrained five-member pack is exported once (needs the train extra) into
the cache folder; timings do not depend on the weights. Saves benchmarks/results/ensemble_cpu.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.bench.machine import cpu_model  # noqa: E402
from cer_live.cache import cache_dir  # noqa: E402
from cer_live.faces.detect import RetinaFaceDetector  # noqa: E402
from cer_live.models import backends  # noqa: E402
from cer_live.models.backends import BackendOptions  # noqa: E402
from cer_live.models.ensemble import Ensemble  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402

FIVE = ("mobilenet_v2", "resnet18", "resnet152", "densenet121", "densenet201")


def ensure_pack(path: Path | None) -> Path:
    if path is not None:
        return path
    target = cache_dir() / "bench-engines" / "five"
    if not (target / "pack.json").is_file():
        from cer_live.export.build import ExportOptions, MemberInput, export_pack

        print(f"exporting an untrained five-member pack to {target} (once)", flush=True)
        export_pack(
            [MemberInput(a, a, seed=i) for i, a in enumerate(FIVE)],
            ExportOptions(name="five", out_root=target.parent, fused=True),
        )
    return target


def timed(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of fn() in ms, after one warm-up call."""
    fn()
    samples_ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples_ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    pack = load_pack(str(ensure_pack(args.pack)))
    options = BackendOptions(threads=args.threads)

    # A real frame with five faces: the ensemble scores them as one batch.
    image = cv2.imread(str(samples.fetch("multi_face.jpg")))
    detector = RetinaFaceDetector(
        backends.create("onnxruntime", pack.detector.model, options),
        pack.detector.config,
    )
    dets = detector.detect([image])[0]
    ensemble = Ensemble(pack, "onnxruntime", options)
    spec = pack.members[0]
    from cer_live.faces.align import align
    from cer_live.models.preprocess import to_tensor

    batch = to_tensor(align(image, dets, spec.template, spec.size), spec.colour, spec.mean, spec.std)
    faces = len(batch)
    print(
        f"{faces} faces per batch, {len(pack.members)} members, {args.threads} threads, {args.rounds} rounds",
        flush=True,
    )

    standalone: dict[str, list[float]] = {m.spec.name: [] for m in ensemble.members}
    whole: list[float] = []
    for r in range(args.rounds):
        for member in ensemble.members:
            standalone[member.spec.name].append(timed(lambda m=member: m.engine.infer(batch), 2))
        whole.append(timed(lambda: ensemble.score(image, dets), 2))
        print(
            f"round {r + 1}: ensemble {whole[-1]:.0f} ms, members {sum(v[-1] for v in standalone.values()):.0f} ms",
            flush=True,
        )
    member_ms = {k: statistics.median(v) for k, v in standalone.items()}
    sum_ms = sum(member_ms.values())
    ensemble_ms = statistics.median(whole)
    ratio = ensemble_ms / sum_ms

    # Batch size: per-face cost of the members alone.
    by_batch = {}
    for size in (1, 4, 8, 16):
        x = np.concatenate([batch] * (-(-size // faces)))[:size]
        ms = sum(timed(lambda m=m: m.engine.infer(x), 2) for m in ensemble.members)
        by_batch[size] = round(ms / size, 2)
        print(
            f"batch {size}: {by_batch[size]:.1f} ms per face (members in sequence)",
            flush=True,
        )

    # Two members at a time with one thread each, against one at a time with two threads.
    single = [backends.create("onnxruntime", m.spec.source, BackendOptions(threads=1)) for m in ensemble.members]
    with ThreadPoolExecutor(2) as pool:
        concurrent_ms = timed(lambda: list(pool.map(lambda e: e.infer(batch), single)), args.rounds)
    sequential_ms = timed(lambda: [m.engine.infer(batch) for m in ensemble.members], args.rounds)

    fused_ms = None
    if "fused" in pack.manifest:
        fused = backends.create(
            "onnxruntime",
            (pack.path / pack.manifest["fused"]["file"]).read_bytes(),
            options,
        )
        fused_ms = timed(lambda: fused.infer(batch), args.rounds)

    result = {
        "producer": PRODUCER,
        "benchmark": "benchmarks/ensemble_cpu.py",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "processor": cpu_model(),
        },
        "onnxruntime": __import__("onnxruntime").__version__,
        "pack": pack.name,
        "faces_per_batch": faces,
        "threads": args.threads,
        "rounds": args.rounds,
        "member_ms_per_batch": {k: round(v, 2) for k, v in member_ms.items()},
        "members_sum_ms_per_face": round(sum_ms / faces, 2),
        "ensemble_ms_per_face": round(ensemble_ms / faces, 2),
        "ensemble_includes": "alignment, preprocessing, all members, softmax, fusion",
        "ratio_ensemble_to_sum": round(ratio, 4),
        "target_ratio": 1.10,
        "meets_target": ratio <= 1.10,
        "members_ms_per_face_by_batch": by_batch,
        "sequential_2_threads_ms_per_batch": round(sequential_ms, 2),
        "concurrent_2x1_threads_ms_per_batch": round(concurrent_ms, 2),
        "fused_graph_ms_per_batch": None if fused_ms is None else round(fused_ms, 2),
    }
    out = ROOT / "benchmarks" / "results" / "ensemble_cpu.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
