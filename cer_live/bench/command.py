"""`cer-live bench`: its arguments, and the run that measures, plots, tabulates and saves.

Importing this module is cheap (no runtime, no models): the CLI registers it at start-up.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from ..errors import CerLiveError
from ..install import install_hint
from ..validate import Range, check_all
from . import config as cfgmod
from .config import BenchConfig
from .errors import BenchArgError

HELP = "latency benchmark: every stage, sweeps, and baselines measured in the same run"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("bench", help=HELP, description=HELP)
    p.add_argument(
        "--out", type=Path, required=True, help="folder for bench.json and the PNG plots (created if missing)"
    )
    p.add_argument("--pack", default="default", help="model pack name or folder (default: default)")
    p.add_argument(
        "--backend",
        default="all",
        help="members' engines to sweep: all, or a comma list of onnxruntime, torch, tensorrt",
    )
    p.add_argument(
        "--source",
        default="sample",
        help="video FILE, 'sample' (the bundled clip; default) or 'synthetic' (tiled real faces)",
    )
    p.add_argument(
        "--faces", help=f"faces per frame to sweep (default {cfgmod.QUICK['faces']}; --full {cfgmod.FULL['faces']})"
    )
    p.add_argument(
        "--batch", help=f"batch sizes to sweep (default {cfgmod.QUICK['batch']}; --full {cfgmod.FULL['batch']})"
    )
    p.add_argument(
        "--resolution",
        help=f"frame sizes to sweep (default {cfgmod.QUICK['resolution']}; --full {cfgmod.FULL['resolution']})",
    )
    p.add_argument(
        "--repeats",
        type=int,
        help=f"repeats of every measurement (default {cfgmod.QUICK['repeats']}; --full {cfgmod.FULL['repeats']})",
    )
    p.add_argument(
        "--frames", type=int, help=f"source frames per repeat, 0 = all (default {cfgmod.QUICK['frames']}; --full all)"
    )
    p.add_argument("--threads", type=int, default=2, help="inference threads per model (default 2, as cer-live run)")
    p.add_argument("--det-size", type=int, help="detector input long side (pack default: 320)")
    p.add_argument(
        "--peer-python",
        metavar="PATH",
        help="the Python of a separate environment with fer installed, to measure it on the same frames "
        "(without it, the report says how to make one)",
    )
    p.add_argument("--no-live", action="store_true", help="skip the loopback RTSP latency run")
    p.add_argument("--full", action="store_true", help="every sweep at full size, on every frame (minutes)")
    p.add_argument("--force", action="store_true", help="replace bench.json and the plots already in --out")


def config_from(args: argparse.Namespace) -> BenchConfig:
    """Every argument checked, with no side effect: bad input fails before anything runs."""
    d = cfgmod.FULL if args.full else cfgmod.QUICK
    repeats = args.repeats if args.repeats is not None else int(d["repeats"])
    frames = args.frames if args.frames is not None else int(d["frames"])
    check_all(
        (
            ("--repeats", repeats, Range(1, 1000, "repeats", integer=True)),
            ("--frames", frames, Range(0, 10_000_000, "frames (0 = all)", integer=True)),
            ("--threads", args.threads, Range(1, 256, "threads", integer=True)),
            ("--det-size", args.det_size, Range(64, 4096, "pixels (the long side)", integer=True)),
        ),
        BenchArgError,
    )
    peer = getattr(args, "peer_python", None)
    if peer is not None and not (Path(peer).expanduser().is_file() and os.access(Path(peer).expanduser(), os.X_OK)):
        raise BenchArgError(
            f"no Python interpreter at --peer-python '{peer}'; give the python of an environment where fer is installed"
        )
    if args.source not in ("sample", "synthetic") and not Path(args.source).expanduser().is_file():
        raise BenchArgError(f"no such video file: '{args.source}'; give a video FILE, 'sample' or 'synthetic'")
    return BenchConfig(
        out=args.out,
        pack=args.pack,
        backends=cfgmod.parse_backends(args.backend),
        source=args.source,
        faces=cfgmod.parse_faces(args.faces or str(d["faces"])),
        batch=cfgmod.parse_batches(args.batch or str(d["batch"])),
        resolutions=cfgmod.parse_resolutions(args.resolution or str(d["resolution"])),
        repeats=repeats,
        frames=frames,
        clip_frames=int(d["clip_frames"]),
        threads=args.threads,
        det_size=args.det_size,
        peer_python=str(Path(peer).expanduser()) if peer is not None else None,
        live=not args.no_live,
        full=args.full,
        force=args.force,
    )


def command_line(cfg: BenchConfig) -> str:
    """The run as a command a reader can repeat."""
    parts = [
        "cer-live bench",
        f"--pack {cfg.pack}",
        f"--backend {','.join(cfg.backends)}",
        f"--source {cfg.source}",
        f"--faces {','.join(map(str, cfg.faces))}",
        f"--batch {','.join(map(str, cfg.batch))}",
        f"--resolution {','.join(f'{w}x{h}' for w, h in cfg.resolutions)}",
        f"--repeats {cfg.repeats}",
        f"--frames {cfg.frames}",
        f"--threads {cfg.threads}",
    ]
    parts += [f"--det-size {cfg.det_size}"] if cfg.det_size else []
    parts += [f"--peer-python {cfg.peer_python}"] if cfg.peer_python else []
    parts += ["--no-live"] if not cfg.live else []
    parts += ["--full"] if cfg.full else []
    return " ".join(parts + ["--out DIR"])


def _check_out(cfg: BenchConfig) -> None:
    from .plots import PLOTS
    from .report import REPORT_NAME

    taken = [n for n in (REPORT_NAME, *PLOTS) if (cfg.out / n).exists()]
    if taken and not cfg.force:
        raise BenchArgError(
            f"'{cfg.out}' already holds {', '.join(taken)}; choose another --out or add --force to replace them"
        )


def run(args: argparse.Namespace, console: Console) -> int:
    cfg = config_from(args)
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise CerLiveError(f"cer-live bench needs matplotlib for its plots: {install_hint('bench')}") from exc
    from . import runtime
    from .session import measure

    _check_out(cfg)
    pack = runtime.load_pack(cfg.pack)
    runtime.prepare_out_dir(cfg.out)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    parts = measure(cfg, pack, console)
    from . import plots, report, table

    parts = {"command": command_line(cfg), "started": started, "wall_s": round(time.perf_counter() - t0, 1), **parts}
    doc = report.assemble({**parts, "plots": []})
    doc["plots"] = plots.draw_all(doc, cfg.out)
    path = report.write(cfg.out, doc)
    out = Console(width=max(console.width, 120)) if not console.is_terminal else Console()
    table.show(doc, out)
    out.print(f"saved {path} and {len(doc['plots'])} plots in {cfg.out}/ ({doc['wall_s']:.0f} s)", highlight=False)
    return 0


__all__ = ["add_parser", "config_from", "run"]
