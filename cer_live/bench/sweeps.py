"""Sweeps: members' throughput against batch size per backend, and the pipeline's frames per
second against faces per frame and against resolution (synthetic clips of real faces)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CerLiveError
from . import gpu, media, runtime
from .clock import timed
from .stats import median, spread, summarise

BUDGET_MS = {False: 400.0, True: 1500.0}  # timed calls per point: about this long per repeat
RESOLUTION_FACES = 2  # faces per frame in the resolution sweep
POINT_STAGES = ("decode", "detect", "align", "infer", "post", "sinks", "end_to_end")


def face_tensors(ensemble: runtime.Ensemble, crops: list[np.ndarray]) -> list[np.ndarray]:
    """Per member, its input tensor for every real face in the crops (aligned as at run time)."""
    tensors = []
    for member in ensemble.members:
        parts = [runtime.member_tensor(member, crop, runtime.detect_all(ensemble.pack, crop)) for crop in crops]
        tensors.append(np.concatenate([p for p in parts if len(p)]))
    return tensors


def _batch_of(faces: np.ndarray, size: int) -> np.ndarray:
    return np.ascontiguousarray(np.concatenate([faces] * -(-size // len(faces)))[:size])


def _time_point(engines: list, xs: list[np.ndarray], repeats: int, full: bool, timer: gpu.Timer) -> dict[str, Any]:
    def call() -> None:
        for engine, x in zip(engines, xs, strict=False):
            engine.infer(x)

    _, first = timed(call)  # warm-up, and the size of the sample
    calls = int(max(1, min(50, BUDGET_MS[full] / max(first, 0.01))))
    runs = [[timer.time(call) for _ in range(calls)] for _ in range(repeats)]
    return summarise(runs, "batch")


def _backend_rows(name: str, device: str, pack: runtime.Pack, tensors: list[np.ndarray], cfg: Any) -> dict[str, Any]:
    precision = "fp16" if device.startswith("cuda") else "fp32"
    options = runtime.BackendOptions(threads=cfg.threads, device=device, precision=precision, max_batch=max(cfg.batch))
    entry: dict[str, Any] = {"backend": name, "device": device, "precision": precision}
    try:
        engines = [runtime.backends.create(name, spec.source, options) for spec in pack.members]
    except CerLiveError as exc:
        return {**entry, "status": "skipped", "note": str(exc), "rows": []}
    timer = gpu.timer_for(device)
    rows = []
    try:
        for size in cfg.batch:
            point = _time_point(engines, [_batch_of(t, size) for t in tensors], cfg.repeats, cfg.full, timer)
            rows.append({"batch": size, "ms_per_batch": point, "faces_per_s": round(size * 1000.0 / point["p50"], 1)})
    finally:
        for engine in engines:
            engine.close()
    return {
        **entry,
        "status": "measured",
        "timer": timer.kind,
        "note": "every member in turn on one batch",
        "rows": rows,
    }


def batch_sweep(
    ensemble: runtime.Ensemble, crops: list[np.ndarray], cfg: Any, tick: Callable[[], None]
) -> list[dict[str, Any]]:
    tensors = face_tensors(ensemble, crops)
    out = []
    for name in cfg.backends:
        for device in gpu.devices_for(name):
            out.append(_backend_rows(name, device, ensemble.pack, tensors, cfg))
            tick()
    return out


def _pipeline_point(analyser: runtime.Analyser, video: Path, repeats: int, scratch: Path) -> dict[str, Any]:
    fps, report = [], {}
    for _ in range(repeats):
        out = scratch / "point"
        out.mkdir(exist_ok=True)
        try:
            report = runtime.run_pipeline(analyser, runtime.open_file(video, 0), out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        fps.append(report["fps"])
    stages = {k: v for k, v in report["latency_ms"].items() if k in POINT_STAGES}
    return {
        "fps": spread(fps),
        "fps_median": median(fps),
        "faces_found_per_frame": round(report["face_rows"] / max(report["frames"], 1), 2),
        "frames": report["frames"],
        # Over the frames each stage ran on; a stage that ran on none is absent, never 0 ms.
        "stage_p50_ms": {k: v["p50"] for k, v in stages.items()},
        "stage_runs": {k: v["n"] for k, v in stages.items()},
    }


def faces_sweep(
    analyser: runtime.Analyser, crops: list[np.ndarray], cfg: Any, scratch: Path, tick: Callable[[], None]
) -> list[dict[str, Any]]:
    size = cfg.resolutions[0]
    rows = []
    for n in cfg.faces:
        video = media.synthetic_video(crops, n, size, cfg.clip_frames, scratch)
        rows.append(
            {"faces": n, "resolution": f"{size[0]}x{size[1]}", **_pipeline_point(analyser, video, cfg.repeats, scratch)}
        )
        video.unlink()
        tick()
    return rows


def resolution_sweep(
    analyser: runtime.Analyser, crops: list[np.ndarray], cfg: Any, scratch: Path, tick: Callable[[], None]
) -> list[dict[str, Any]]:
    rows = []
    for size in cfg.resolutions:
        video = media.synthetic_video(crops, RESOLUTION_FACES, size, cfg.clip_frames, scratch)
        point = _pipeline_point(analyser, video, cfg.repeats, scratch)
        rows.append({"resolution": f"{size[0]}x{size[1]}", "faces": RESOLUTION_FACES, **point})
        video.unlink()
        tick()
    return rows


def shared_upload(ensemble: runtime.Ensemble, crops: list[np.ndarray], cfg: Any) -> dict[str, Any]:
    """On a GPU: today's per-member numpy round trips against one upload shared by all members."""
    probe = gpu.probe()
    if not (probe["gpu"] and probe["onnxruntime_cuda_provider"]):
        return {
            "status": "skipped",
            "note": "unmeasured: needs an NVIDIA GPU and onnxruntime's CUDA provider (the gpu extra)",
        }
    if len(runtime.preprocess_groups(ensemble)) != 1:
        return {
            "status": "skipped",
            "note": "unmeasured: the members take different inputs, so one upload cannot serve them all",
        }
    batch = _batch_of(face_tensors(ensemble, crops)[0], max(cfg.batch))
    options = runtime.BackendOptions(threads=cfg.threads, device="cuda", precision="fp32", max_batch=len(batch))
    engines = [runtime.backends.create("onnxruntime", spec.source, options) for spec in ensemble.pack.members]
    try:
        models = [spec.model for spec in ensemble.pack.members]
        return gpu.upload_comparison(models, lambda: [e.infer(batch) for e in engines], batch, max(cfg.repeats, 10))
    finally:
        for engine in engines:
            engine.close()
