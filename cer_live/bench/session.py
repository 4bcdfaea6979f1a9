"""One bench run: every measurement in order, under rich progress, into the report's parts."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import PRODUCER, samples
from . import endtoend, gpu, live, machine, media, precision, runtime, stages, sweeps
from .config import BenchConfig


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


def _ticker(progress: Progress, label: str, total: int) -> Callable[[], None]:
    task = progress.add_task(label, total=total)
    return lambda: progress.advance(task)


def _config(cfg: BenchConfig, pack: runtime.Pack, video: Path, analyser: runtime.Analyser) -> dict[str, Any]:
    return {
        "pack": pack.name,
        "members": [m.name for m in pack.members],
        "fusion": pack.fusion,
        # What the stages, end-to-end and sweep rows ran in ('auto' resolved: INT8 on the CPU where
        # the pack has it); the precision section times fp32 and INT8 side by side.
        "precision": sorted({m["precision"] for m in analyser.member_identity or []}),
        "det_size": analyser.detector.config.input_long_side,
        "source": cfg.source,
        "video": video.name,
        "frames_per_repeat": cfg.frames or "all",
        "clip_frames": cfg.clip_frames,
        "repeats": cfg.repeats,
        "warmup_frames": cfg.warmup,
        "threads": cfg.threads,
        "faces": list(cfg.faces),
        "batch": list(cfg.batch),
        "resolutions": [f"{w}x{h}" for w, h in cfg.resolutions],
        "backends": list(cfg.backends),
        "full": cfg.full,
        "peer_python": cfg.peer_python,
        "smoothing": runtime.DEFAULT_SMOOTH,
        "fallback_age": runtime.DEFAULT_FALLBACK_AGE,
    }


def _live(cfg: BenchConfig, analyser: runtime.Analyser, scratch: Path) -> dict[str, Any]:
    if not cfg.live:
        return {"status": "skipped", "note": "turned off with --no-live"}
    return live.measure(analyser, samples.fetch(media.SAMPLE_VIDEO), cfg.live_seconds, scratch)


def measure(cfg: BenchConfig, pack: runtime.Pack, console: Console) -> dict[str, Any]:
    info = machine.describe()
    analyser = runtime.make_analyser(pack, cfg.threads, cfg.det_size)
    try:
        with tempfile.TemporaryDirectory(prefix="cer-live-bench-") as tmp, _progress(console) as progress:
            scratch = Path(tmp)
            crops = media.face_crops(pack)
            video = media.source_video(cfg.source, crops, cfg.resolutions[0], cfg.clip_frames, scratch)
            frames = endtoend.count_frames(video, cfg.frames)
            parts: dict[str, Any] = {
                "producer": PRODUCER,
                "machine": info,
                "config": _config(cfg, pack, video, analyser),
            }
            tick = _ticker(progress, "stages", cfg.repeats * frames)
            breakdown = stages.breakdown(analyser, video, cfg.frames, cfg.repeats, cfg.warmup, scratch, tick)
            parts["stages"] = breakdown
            parts["ensemble_vs_members"] = stages.ensemble_vs_members(breakdown)
            peer = endtoend.baselines.peer_status(cfg.peer_python)
            contenders = 5 + (peer["status"] == "available") + endtoend.measures_whole_process(peer, cfg.frames)
            e2e = endtoend.compare(
                analyser,
                video,
                cfg.frames,
                cfg.repeats,
                scratch,
                _ticker(progress, "end to end + baselines", cfg.repeats * contenders),
                peer,
            )
            parts["end_to_end"] = {"fps": e2e["fps"], "pipeline_report": e2e["pipeline_report"]}
            parts["peer"], parts["ratios"] = e2e["peer"], e2e["ratios"]
            backend_rows = sum(len(gpu.devices_for(b)) for b in cfg.backends)
            parts["sweeps"] = {
                "batch": sweeps.batch_sweep(
                    analyser.ensemble, crops, cfg, _ticker(progress, "batch x backend", backend_rows)
                ),
                "faces": sweeps.faces_sweep(
                    analyser, crops, cfg, scratch, _ticker(progress, "faces per frame", len(cfg.faces))
                ),
                "resolution": sweeps.resolution_sweep(
                    analyser, crops, cfg, scratch, _ticker(progress, "resolution", len(cfg.resolutions))
                ),
            }
            parts["precision"] = precision.measure(
                analyser.ensemble, crops, cfg, _ticker(progress, "fp32 vs int8", cfg.repeats)
            )
            tick = _ticker(progress, "live RTSP", 1)
            parts["live"] = _live(cfg, analyser, scratch)
            tick()
            parts["gpu"] = {**gpu.probe(), "shared_upload": sweeps.shared_upload(analyser.ensemble, crops, cfg)}
    finally:
        analyser.close()
    parts["machine"]["load_average_at_end"] = machine.load_average()
    return parts
