"""The `cer-live` command: run, export, packs, sample."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from . import PRODUCER
from .errors import CerLiveError

log = logging.getLogger("cer_live")
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cer-live", description="Real-time compound facial expression recognition.")
    parser.add_argument("--version", action="version", version=PRODUCER)
    parser.add_argument("--debug", action="store_true", help="verbose logs and full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="analyse a video file, an image, or a folder of them")
    run.add_argument("source", help="video file, image, folder, webcam index (0) or /dev/videoN, rtsp:// or http(s):// URL")
    run.add_argument("--out", type=Path, help="output folder (created if missing); needed unless --show")
    run.add_argument("--pack", default="default", help="model pack name or folder (default: default)")
    run.add_argument("--protagonist", action="store_true", help="keep only the largest face in each frame")
    run.add_argument("--no-video", action="store_true", help="skip the annotated video (faster)")
    run.add_argument("--smooth", default="ema:0.4", help="ema[:alpha], window[:frames] or none (default ema:0.4)")
    run.add_argument("--fallback-age", type=int, default=12, help="frames a face may be borrowed across (0 = off)")
    run.add_argument("--det-size", type=int, help="detector input long side in pixels (pack default: 320)")
    run.add_argument("--threads", type=int, default=2, help="inference threads per model (default 2)")
    run.add_argument("--backend", default="auto", help="members' engine: auto, onnxruntime (ort), tensorrt (trt) or torch")
    run.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    run.add_argument("--precision", choices=("auto", "fp32", "fp16"), default="auto", help="members' precision (auto: fp16 on cuda, fp32 on cpu)")
    run.add_argument("--fusion", choices=("pack", "majority", "mean", "weighted_mean"), default="pack", help="how members' votes combine (default: the pack's rule)")
    run.add_argument("--every", type=int, default=1, help="run the ensemble on a face every K source frames, carrying labels between (slow CPUs; default 1)")
    run.add_argument("--min-iou", type=float, default=0.6, help="with --every: rerun sooner when a face's box overlaps its last scored box by less than this")
    live = run.add_argument_group("live sources")
    live.add_argument("--show", action=argparse.BooleanOptionalAction, default=None, help="live overlay window (default: on for webcams and streams when a display exists)")
    live.add_argument("--policy", choices=("all", "latest"), help="frames when behind: keep all (files' default) or only the latest (live default)")
    live.add_argument("--transport", choices=("tcp", "udp"), default="tcp", help="RTSP transport (default tcp)")
    live.add_argument("--reconnect-limit", type=int, default=None, help="reconnect attempts per outage before giving up (default: never give up)")
    live.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a stream to open or send a frame (default 5)")
    run.add_argument("--stats", action="store_true", help="print per-stage latency percentiles at exit")

    packs = sub.add_parser("packs", help="list or show model packs")
    packs_sub = packs.add_subparsers(dest="packs_command", required=True)
    packs_sub.add_parser("list", help="packs on the search path")
    show = packs_sub.add_parser("show", help="validate a pack and show its manifest")
    show.add_argument("name", nargs="?", default="default")

    export = sub.add_parser("export", help="export torchvision checkpoints to a model pack (needs the train extra)")
    export.add_argument("checkpoints", nargs="*", help="state_dict files, ARCH=FILE pairs, or a folder of model0.pth..model4.pth")
    export.add_argument("--name", required=True, help="pack name: written to OUT/NAME")
    export.add_argument("--out", type=Path, default=Path("engines"), help="folder that holds packs (default ./engines)")
    export.add_argument("--random", default="", help="also add untrained members of these architectures (comma list, or 'all'): for testing only")
    export.add_argument("--seed", type=int, default=0, help="seed for --random members")
    export.add_argument("--classes", default=None, help="the checkpoints' class order, comma-separated (default: the ABAW compound order)")
    export.add_argument("--colour", choices=("bgr", "rgb"), default="bgr", help="channel order the checkpoints were trained on (default bgr, see README)")
    export.add_argument("--fp16", action=argparse.BooleanOptionalAction, default=True, help="also write an FP16 ONNX per member (default on)")
    export.add_argument("--fused", action="store_true", help="also write one ONNX graph holding every member")
    export.add_argument("--fusion", choices=("majority", "mean", "weighted_mean"), default="majority", help="the pack's fusion rule (default majority, as the paper)")
    export.add_argument("--faces", nargs="*", type=Path, default=[], help="images/videos with faces for the parity check (default: bundled samples)")
    export.add_argument("--parity-faces", type=int, default=64, help="aligned faces used for parity (at least 64)")
    export.add_argument("--force", action="store_true", help="replace an existing pack of that name")

    sample = sub.add_parser("sample", help="fetch a sample video (cached) and print its path")
    sample.add_argument("name", nargs="?", default=None, help="sample name (default: a short clip with one face)")
    sample.add_argument("--list", action="store_true", help="list the known samples")

    from .bench.command import add_parser as add_bench  # cheap: loads no runtime or model

    add_bench(sub)
    return parser


class _RedactUrls(logging.Filter):
    """Credentials in stream URLs never reach a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .sources.urls import redact_all

        record.msg = redact_all(record.getMessage())
        record.args = None
        return True


def _configure_logging(console: Console, debug: bool) -> None:
    handler = RichHandler(console=console, show_path=debug, show_time=debug, markup=False, rich_tracebacks=debug)
    handler.addFilter(_RedactUrls())
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=[handler], format="%(message)s", force=True)
    if not debug:
        # FFmpeg and OpenCV print their own lines (with URLs) for every failed connect;
        # our one-line errors and status events say it better. Read when a capture opens.
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
        os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    err = Console(stderr=True)
    _configure_logging(err, args.debug)
    try:
        if args.command == "run":
            return _run(args, err)
        if args.command == "packs":
            return _packs(args)
        if args.command == "export":
            return _export(args, err)
        if args.command == "bench":
            from .bench.command import run as run_bench

            return run_bench(args, err)
        return _sample(args)
    except CerLiveError as exc:
        from .sources.urls import redact_all

        err.print(f"[bold red]error:[/] {escape(redact_all(str(exc)))}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug, not bad input: one line unless asked for more
        if args.debug:
            traceback.print_exc()
        else:
            err.print(
                f"[bold red]error:[/] unexpected {type(exc).__name__}: {escape(str(exc))} (rerun with --debug for the traceback)",
                highlight=False,
                soft_wrap=True,
            )
        return 1


def _run(args: argparse.Namespace, err: Console) -> int:
    from . import backends
    from .analyser import Analyser, AnalyserOptions
    from .schedule import ScheduleConfig
    from .outputs import open_sinks, prepare_out_dir, unique_names, write_json
    from .packs import load_pack
    from .pipeline import run_source
    from .post import PostProcessor
    from .sinks.base import SinkSet
    from .sinks.window import LiveWindow, check_display
    from .smooth import SmoothingConfig
    from .sources import StreamOptions, open_sources

    # Everything that can fail on bad input fails here, before any output is written.
    smoothing = SmoothingConfig.parse(args.smooth)
    if args.fallback_age < 0:
        raise CerLiveError(f"bad --fallback-age {args.fallback_age}; give 0 (off) or a number of frames")
    if args.det_size is not None and not 64 <= args.det_size <= 4096:
        raise CerLiveError(f"bad --det-size {args.det_size}; give a long side between 64 and 4096 pixels")
    if args.threads < 1:
        raise CerLiveError(f"bad --threads {args.threads}; give 1 or more")
    if args.reconnect_limit is not None and args.reconnect_limit < 0:
        raise CerLiveError(f"bad --reconnect-limit {args.reconnect_limit}; give 0 or more attempts")
    if args.timeout <= 0:
        raise CerLiveError(f"bad --timeout {args.timeout}; give seconds > 0")
    if args.every < 1 or not 0.0 <= args.min_iou <= 1.0:
        raise CerLiveError(f"bad --every {args.every} / --min-iou {args.min_iou}; give K >= 1 and an IoU in [0, 1]")
    backend = backends.canonical(args.backend)
    precision = args.precision  # 'auto' is settled per member: fp16 on CUDA where the member has it
    pack = load_pack(args.pack)
    if args.fusion != "pack":
        pack = replace(pack, fusion=args.fusion)
    untrained = [m["name"] for m in pack.manifest.get("members", []) if m.get("trained") is False]
    if untrained:
        log.warning("pack '%s' has untrained members (%s): its labels are meaningless", pack.name, ", ".join(untrained))
    if args.show:
        check_display()
    warnings: list[str] = []
    stream = StreamOptions(args.transport, args.timeout, args.timeout, args.reconnect_limit)
    sources = open_sources(args.source, warnings, stream)
    for warning in warnings:
        log.warning(warning)
    show = args.show
    if show is None:
        show = any(s.live for s in sources) and _has_display()
    if args.out is None and not show:
        raise CerLiveError("nothing to write to: give --out DIR for files, or --show for a live window")
    out_dir = prepare_out_dir(args.out) if args.out is not None else None
    options = AnalyserOptions(
        backend, args.threads, args.device, args.det_size, args.protagonist, precision, ScheduleConfig(args.every, args.min_iou)
    )
    analyser = Analyser(pack, options)
    settings = {
        "pack": pack.name,
        "protagonist_only": args.protagonist,
        "smooth": args.smooth,
        "fallback_age": args.fallback_age,
        "det_size": args.det_size or pack.detector.config.input_long_side,
        "threads": args.threads,
        "backend": backend,
        "device": args.device,
        "precision": precision,
        "fusion": pack.fusion,
        "every": args.every,
        "min_iou": args.min_iou,
        "policy": args.policy or "auto",
    }
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    reports = []
    interrupted = False
    t0 = time.perf_counter()
    try:
        for stem, source in zip(unique_names(sources), sources):
            header = _header(pack, source, settings, started)
            watermark = f"{PRODUCER} | pack {pack.name}"
            sinks = open_sinks(out_dir, stem, source, header, not args.no_video, watermark) if out_dir else SinkSet([])
            if show:
                sinks.sinks.insert(0, LiveWindow(f"cer-live: {source.label}", watermark))
            analyser.reset()  # track ids and carried scores never cross from one source to the next
            post = PostProcessor(smoothing, args.fallback_age, look_ahead=not source.live)
            with _progress(err) as progress:
                task = progress.add_task(stem, total=source.expected_frames)
                report = run_source(analyser, source, post, sinks, on_frame=lambda n: progress.update(task, completed=n), policy=args.policy)
            reports.append(report)
            for warning in report.warnings:
                log.warning(warning)
            for sink, problem in report.sink_failures.items():
                log.error("output %s stopped early: %s", sink, problem)
            if report.interrupted:
                interrupted = True
                break
    finally:
        analyser.close()
    summary = {
        "producer": PRODUCER,
        "started": started,
        "wall_s": round(time.perf_counter() - t0, 3),
        "interrupted": interrupted,
        "settings": settings,
        "sources": [r.as_dict() for r in reports],
    }
    if out_dir is not None:
        write_json(out_dir / "summary.json", summary)
    _print_summary(reports, out_dir, args.stats)
    if interrupted:
        return EXIT_INTERRUPTED
    failed = [r for r in reports if r.error]
    for r in failed:
        err.print(f"[bold red]error:[/] {escape(r.error)}", highlight=False, soft_wrap=True)
    if failed:
        return CerLiveError.exit_code
    return 1 if any(r.sink_failures for r in reports) else 0


def _has_display() -> bool:
    from .sinks.window import check_display

    try:
        check_display()
        return True
    except CerLiveError:
        return False


def _header(pack: Any, source: Any, settings: dict[str, Any], started: str) -> dict[str, Any]:
    from .classes import BASIC_CLASSES, COMPOUND_CLASSES

    return {
        "producer": PRODUCER,
        "started": started,
        "source": source.label,
        "name": source.name,
        "fps": source.fps,
        "pack": pack.name,
        "detector_sha256": pack.detector.sha256,
        "members": [{"name": m.name, "sha256": m.sha256} for m in pack.members],
        "compound_classes": list(COMPOUND_CLASSES),
        "basic_classes": list(BASIC_CLASSES),
        "settings": settings,
    }


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _print_summary(reports: list, out_dir: Path | None, stats: bool) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # logs and CI: do not squeeze the table to 80 columns
    table = Table(title=f"{PRODUCER} run summary", title_justify="left")
    for column in ("source", "frames", "with face", "dropped", "fps", "detect p50", "infer p50", "end-to-end p95"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for r in reports:
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
        for r in reports:
            detail = Table(title=f"{r.name}: latency per stage (ms)", title_justify="left")
            for column in ("stage", "p50", "p95", "mean", "frames"):
                detail.add_column(column, justify="left" if column == "stage" else "right")
            for stage, v in r.stages.items():
                detail.add_row(stage, f"{v['p50']:.2f}", f"{v['p95']:.2f}", f"{v['mean']:.2f}", str(v["n"]))
            console.print(detail)
    if out_dir is not None:
        console.print(f"outputs in {out_dir}/ (summary.json, and .jsonl, .csv, .mp4 per source)", highlight=False)


def _packs(args: argparse.Namespace) -> int:
    import json

    from .packs import list_packs, load_pack

    console = Console()
    if args.packs_command == "list":
        found = list_packs()
        if not found:
            console.print("no packs found; see the README for the pack format")
            return 1
        for path in found:
            try:
                pack = load_pack(str(path))
                console.print(f"{pack.name}\t{len(pack.members)} member(s)\t{path}\t{pack.description}", highlight=False)
            except CerLiveError as exc:
                console.print(f"{path.name}\tINVALID: {exc}", highlight=False)
        return 0
    pack = load_pack(args.name)
    console.print(f"pack '{pack.name}' at {pack.path}: valid, {len(pack.members)} member(s), fusion {pack.fusion}", highlight=False)
    console.print_json(json.dumps(pack.manifest))
    return 0


def _export(args: argparse.Namespace, err: Console) -> int:
    try:
        from .export.command import run_export
    except ImportError as exc:
        raise CerLiveError(f"export needs torch and torchvision ({exc.name} is missing): pip install 'cer-live[train]'") from exc
    return run_export(args, err)


def _sample(args: argparse.Namespace) -> int:
    from . import samples

    if args.list:
        for name in samples.SAMPLES:
            print(name)
        return 0
    print(samples.fetch(args.name or samples.DEFAULT_SAMPLE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
