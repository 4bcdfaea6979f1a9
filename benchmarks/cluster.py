"""Cluster overhead and recovery on this machine: single-process run vs `--ray` on the same files.

fps counts frames over the sources' own processing time (wall_s per source, run one after
another single-process, side by side on the cluster), so cluster start-up is reported apart.
Recovery: a stream worker is killed mid-file; the time until its JSONL grows again.
Run: python benchmarks/cluster.py   (writes benchmarks/results/cluster.json)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import ray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cer_live import PRODUCER  # noqa: E402
from cer_live.cluster import NAMESPACE  # noqa: E402
from cer_live.cluster.launch import ClusterRun  # noqa: E402
from cer_live.run.config import RunConfig  # noqa: E402
from cer_live.run.outputs import write_json  # noqa: E402
from cer_live.run.run import Run  # noqa: E402
from cer_live.samples import fetch  # noqa: E402
from tests.cluster.clips import cut  # noqa: E402

FRAMES = 120


def _recovery(jsonl: Path, seen: dict) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not jsonl.exists() or jsonl.read_text().count("\n") < 40):
        time.sleep(0.05)
    ray.kill(ray.get_actor("worker/wolf", namespace=NAMESPACE), no_restart=False)
    t0, before = time.monotonic(), jsonl.read_text().count("\n")
    while time.monotonic() - t0 < 60 and jsonl.read_text().count("\n") <= before:
        time.sleep(0.02)
    seen["recovery_s"] = round(time.monotonic() - t0, 2)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cer-live-cluster-bench-"))
    files = [
        str(cut(fetch("WolfgangLanger_Pexels.mp4"), tmp / "wolf.mp4", FRAMES)),
        str(cut(fetch("face_noface.mov"), tmp / "door.mp4", FRAMES)),
    ]
    load = os.getloadavg()
    single = Run(RunConfig(tuple(files), out=tmp / "single", video=False, show=False)).execute()
    single_fps = sum(r.frames for r in single.sources) / sum(r.wall_s for r in single.sources)
    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE)
    start_s = time.perf_counter() - t0
    try:
        cluster = ClusterRun(
            RunConfig(tuple(files), out=tmp / "cluster", video=False, show=False, ray="local")
        ).execute()
        cluster_fps = sum(r.frames for r in cluster.sources) / max(r.wall_s for r in cluster.sources)
        seen: dict = {}
        killer = threading.Thread(target=_recovery, args=(tmp / "faulty" / "wolf.jsonl", seen), daemon=True)
        killer.start()
        faulty = ClusterRun(
            RunConfig(tuple(files[:1]), out=tmp / "faulty", video=False, show=False, ray="local")
        ).execute()
        killer.join(timeout=60)
    finally:
        ray.shutdown()
    result = {
        "producer": PRODUCER, "machine": f"{os.cpu_count()} cores", "load_average_1_5_15": [round(x, 2) for x in load],
        "frames_per_source": FRAMES, "single_process_fps": round(single_fps, 1), "cluster_fps": round(cluster_fps, 1),
        "fps_change_pct": round(100 * (cluster_fps / single_fps - 1), 1), "ray_start_s": round(start_s, 1),
        "recovery_s": seen.get("recovery_s"), "faulty_source_faults": faulty.sources[0].faults,
    }  # fmt: skip
    out = Path(__file__).resolve().parent / "results" / "cluster.json"
    write_json(out, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
