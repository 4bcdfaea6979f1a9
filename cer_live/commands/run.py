"""`cer-live run`: options in, a RunConfig built, the run executed, its summary printed."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .. import PRODUCER
from ..face_common.detector_config import DETECTORS
from ..run.config import DETECT_MODES, FUSIONS, PRECISIONS, TRANSPORTS, ConfigError, RunConfig
from ..run.queues import POLICIES
from ..run.source_list import read_source_list
from ..run.summary import RunSummary
from ..sources.images import IMAGE_MODES

log = logging.getLogger("cer_live")
TOKEN_ENV = "CER_LIVE_SERVE_TOKEN"  # read when the command runs, never at import
HELP = "analyse videos, images, folders, webcams or RTSP/HTTP streams"
# Every default is RunConfig's own, written once there.
D = {f.name: f.default for f in dataclasses.fields(RunConfig) if f.default is not dataclasses.MISSING}


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help=HELP, description=f"cer-live run: {HELP}.", parents=parents)
    run.add_argument(
        "source",
        nargs="*",
        help="video file, image, folder, webcam index (0) or /dev/videoN, rtsp:// or http(s):// URL; several run at once",
    )
    run.add_argument(
        "--sources",
        type=Path,
        metavar="FILE.toml",
        help="more sources, one [[source]] entry each (name, url or path, policy, transport, timeout, reconnect_limit)",
    )
    run.add_argument("--out", type=Path, help="output folder (created if missing); needed unless --show")
    run.add_argument(
        "--overwrite", action="store_true", help="replace results an earlier run left in --out (never an input)"
    )
    run.add_argument("--recursive", action="store_true", help="also read media in subfolders of a folder SOURCE")
    run.add_argument(
        "--images", choices=IMAGE_MODES, default=D["images"],
        help="a folder of images: independent photos (an annotated picture each) or one sequence (numbered frames: tracks, a video); auto decides (default)",
    )  # fmt: skip
    run.add_argument("--pack", default=D["pack"], help="model pack name or folder (default: %(default)s)")
    run.add_argument("--protagonist", action="store_true", help="keep only the largest face in each frame")
    run.add_argument("--no-video", action="store_true", help="skip the annotated video or pictures (faster)")
    run.add_argument("--smooth", default=D["smooth"], help="ema[:alpha], window[:frames] or none (default %(default)s)")
    run.add_argument(
        "--fallback-age", type=int, default=D["fallback_age"], help="frames a face may be borrowed across (0 = off)"
    )
    run.add_argument(
        "--detector",
        choices=DETECTORS,
        help="face front end (default: the pack's): retinaface, mediapipe (BlazeFace full range + FaceMesh, head pose) or mediapipe-short (faces within about 2 m)",
    )
    run.add_argument(
        "--max-yaw",
        type=float,
        metavar="DEG",
        help="with a mediapipe detector: faces turned further than this are marked pose_ok false and kept out of the smoothed label",
    )
    run.add_argument(
        "--det-size",
        type=int,
        help="detector input long side in pixels for whole-frame detection (default: the frame's own with --detect auto, the pack's 320 with --detect full)",
    )
    run.add_argument(
        "--detect",
        choices=DETECT_MODES,
        default=D["detect"],
        help="auto: re-detect known faces in regions, scan the whole frame every --full-every frames and cheaply in between; full: the whole frame every frame (default %(default)s)",
    )
    run.add_argument(
        "--full-every",
        type=int,
        default=D["full_every"],
        help="with --detect auto: frames between full-resolution scans (default %(default)s)",
    )
    run.add_argument(
        "--regions-per-frame",
        type=int,
        default=D["regions_per_frame"],
        help="with --detect auto: known faces re-detected per frame at most, the others predicted from their motion; 0: all (default %(default)s)",
    )
    run.add_argument(
        "--threads", type=int, default=D["threads"], help="inference threads per model (default %(default)s)"
    )
    run.add_argument(
        "--backend", default=D["backend"], help="members' engine: auto, onnxruntime (ort), tensorrt (trt) or torch"
    )
    run.add_argument("--device", default=D["device"], help="cpu, cuda or cuda:N")
    run.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=D["precision"],
        help="members' precision (auto: fp16 on cuda, fp32 on cpu)",
    )
    run.add_argument(
        "--fusion", choices=FUSIONS, default=D["fusion"], help="how members' votes combine (default: the pack's rule)"
    )
    run.add_argument(
        "--every",
        type=int,
        default=D["every"],
        help="run the ensemble on a face every K source frames, carrying labels between (default %(default)s)",
    )
    run.add_argument(
        "--min-iou",
        type=float,
        default=D["min_iou"],
        help="with --every: rerun sooner when a face's box overlaps its last scored box by less than this",
    )
    run.add_argument("--stats", action="store_true", help="print per-stage latency percentiles at exit")
    run.add_argument(
        "--ray", nargs="?", const="local", metavar="ADDRESS",
        help="run each source on a worker of a Ray cluster (the ray extra): ADDRESS of a running cluster, or none to start one here",
    )  # fmt: skip
    live = run.add_argument_group("live sources (webcams, RTSP/HTTP streams)")
    live.add_argument(
        "--show",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="live overlay window (default: on for webcams and streams when a display exists)",
    )
    live.add_argument(
        "--policy",
        choices=POLICIES,
        help="frames when behind: keep all (files' default) or only the latest (live default)",
    )
    live.add_argument(
        "--transport", choices=TRANSPORTS, default=D["transport"], help="RTSP transport (default %(default)s)"
    )
    live.add_argument(
        "--reconnect-limit",
        type=int,
        default=None,
        help="reconnect attempts per outage before giving up (default: never give up)",
    )
    live.add_argument(
        "--timeout",
        type=float,
        default=D["timeout"],
        help="seconds to wait for a stream to open or send a frame (default %(default)g)",
    )
    many = run.add_argument_group("many sources at once")
    many.add_argument(
        "--batch-wait",
        type=float,
        default=D["batch_wait_ms"],
        metavar="MS",
        help="how long a batch waits for the other sources' frames (default %(default)g ms)",
    )
    many.add_argument(
        "--max-streams",
        type=int,
        default=D["max_streams"],
        help="sources analysed at once; more wait their turn (default %(default)s)",
    )
    serve = run.add_argument_group("browser preview")
    serve.add_argument("--serve", metavar="[HOST:]PORT", help="serve a live preview page (default host 127.0.0.1)")
    serve.add_argument(
        "--serve-token",
        metavar="TOKEN",
        help=f"access token every request must carry; needed for a host other than loopback (or set {TOKEN_ENV})",
    )


# RunConfig fields whose option is not simply --field-name.
_OPTION = {"sources": "SOURCE (or --sources FILE.toml)", "batch_wait_ms": "--batch-wait", "video": "--no-video"}


def config_from(args: argparse.Namespace) -> RunConfig:
    """The run's config; a bad setting's error names the option that set it."""
    try:
        return _config(args)
    except ConfigError as exc:
        raise exc.named(_OPTION.get(exc.field, "--" + exc.field.replace("_", "-"))) from None


def _config(args: argparse.Namespace) -> RunConfig:
    source_list = read_source_list(args.sources) if args.sources is not None else ()
    return RunConfig(
        sources=tuple(args.source),
        source_list=source_list,
        batch_wait_ms=args.batch_wait,
        max_streams=args.max_streams,
        serve=args.serve,
        serve_token=args.serve_token or os.environ.get(TOKEN_ENV) or None,
        out=args.out,
        pack=args.pack,
        protagonist=args.protagonist,
        video=not args.no_video,
        smooth=args.smooth,
        fallback_age=args.fallback_age,
        det_size=args.det_size,
        detector=args.detector,
        max_yaw=args.max_yaw,
        detect=args.detect,
        full_every=args.full_every,
        regions_per_frame=args.regions_per_frame,
        threads=args.threads,
        backend=args.backend,
        device=args.device,
        precision=args.precision,
        fusion=args.fusion,
        every=args.every,
        min_iou=args.min_iou,
        show=args.show,
        policy=args.policy,
        transport=args.transport,
        reconnect_limit=args.reconnect_limit,
        timeout=args.timeout,
        overwrite=args.overwrite,
        recursive=args.recursive,
        images=args.images,
        ray=args.ray,
    )


class _RichProgress:
    """One bar per source, on stderr; shown from the first source on, so start-up errors stand alone."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self._tasks: dict[str, int] = {}

    def source_started(self, name: str, expected_frames: int | None) -> None:
        if not self._tasks:
            self.bars.start()
        self._tasks[name] = self.bars.add_task(name, total=expected_frames)

    def close(self) -> None:
        if self._tasks:
            self.bars.stop()

    def frame_done(self, name: str, frames: int) -> None:
        self.bars.update(self._tasks[name], completed=frames)


def run(args: argparse.Namespace, err: Console) -> int:
    from ..runners import runner_for

    config = config_from(args)
    progress = _RichProgress(err)
    try:
        summary = runner_for(config, progress).execute()
    finally:
        progress.close()
    for report in summary.sources:
        for warning in report.warnings:
            log.warning(warning)
    print_summary(summary, args.stats, config.video)
    for error in summary.errors:
        err.print(f"[bold red]error:[/] {escape(error)}", highlight=False, soft_wrap=True)
    return summary.exit_code


def print_summary(summary: RunSummary, stats: bool, video: bool) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # logs and CI: do not squeeze the table to 80 columns
    table = Table(title=f"{PRODUCER} run summary", title_justify="left")
    for column in ("source", "frames", "with face", "dropped", "fps", "detect p50", "infer p50", "end-to-end p95"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for r in summary.sources:
        s = r.stages
        table.add_row(
            r.name,
            str(r.frames),
            f"{r.frames_with_face / r.frames:.0%}" if r.frames else "-",
            str(r.dropped),
            f"{r.fps:.1f}",
            f"{s['detect']['p50']:.1f} ms" if "detect" in s else "-",
            f"{s['infer']['p50']:.1f} ms" if "infer" in s else "-",
            f"{s['end_to_end']['p95']:.0f} ms" if "end_to_end" in s else "-",
        )
    console.print(table)
    if stats:
        for r in summary.sources:
            detail = Table(title=f"{r.name}: latency per stage (ms)", title_justify="left")
            for column in ("stage", "p50", "p95", "mean", "frames"):
                detail.add_column(column, justify="left" if column == "stage" else "right")
            for stage, v in r.stages.items():
                detail.add_row(stage, f"{v['p50']:.2f}", f"{v['p95']:.2f}", f"{v['mean']:.2f}", str(v["n"]))
            console.print(detail)
    if summary.out_dir is not None:
        console.print(
            f"outputs in {summary.out_dir}/ (summary.json, and {_kinds(summary, video)} per source)", highlight=False
        )


def _kinds(summary: RunSummary, video: bool) -> str:
    kinds = [".jsonl", ".csv", ".faces.csv"]
    if video and any(r.images != "independent" for r in summary.sources):
        kinds.append(".mp4")
    if video and any(r.images == "independent" for r in summary.sources):
        kinds.append("annotated pictures")
    return ", ".join(kinds)
