"""`cer-live train`: arguments -> config -> a run (under torchrun: one per process) -> optional pack.

torch is imported only when the command runs, so that registering it costs nothing.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from ...errors import CerLiveError
from ...install import install_hint

# CLI option -> config key; None values are options the user did not give.
_OVERRIDES = {
    "data": "data",
    "val": "val",
    "format": "format",
    "epochs": "epochs",
    "batch_size": "batch_size",
    "lr": "lr",
    "size": "size",
    "seed": "seed",
    "workers": "workers",
    "threads": "threads",
    "pretrained": "pretrained",
    "init": "init",
    "device": "device",
    "val_fraction": "val_fraction",
}


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "train", help="train the ensemble's CNNs (stage 1 on RAF-DB, stage 2 from --init); needs the train extra"
    )
    p.add_argument("data", nargs="?", help="RAF-DB folder, `cer-live label` folder, or folder of class folders")
    p.add_argument(
        "--out",
        type=Path,
        help="run folder: checkpoints, config.toml, run.json, history.jsonl (needed, except with --example)",
    )
    p.add_argument("--config", type=Path, help="TOML file with any config key; options given here override it")
    p.add_argument("--resume", action="store_true", help="continue the run in --out after its last finished epoch")
    p.add_argument("--val", help="a separate validation set (default: the data's own split, else --val-fraction of it)")
    p.add_argument(
        "--val-fraction", type=float, help="share held out for validation when there is no split (default 0.1)"
    )
    p.add_argument("--format", choices=("auto", "rafdb", "labels", "folders"), help="dataset layout (default auto)")
    p.add_argument("--arch", help="comma list of members (default: all five, reference order)")
    p.add_argument("--epochs", type=int, help="epochs (default 20)")
    p.add_argument("--batch-size", type=int, help="images per batch per process (default 64)")
    p.add_argument("--lr", type=float, help="Adam learning rate (default 1e-4)")
    p.add_argument("--size", type=int, help="input size in pixels (default 224)")
    p.add_argument("--seed", type=int, help="seed (default 0)")
    p.add_argument("--workers", type=int, help="data loader processes (default 2)")
    p.add_argument("--threads", type=int, help="torch CPU threads per process (default: torch's choice)")
    p.add_argument("--pretrained", help="ImageNet weights: auto (torchvision's, fetched once), none, or a file/folder")
    p.add_argument("--init", help="stage 2: start every member from this stage-1 run folder")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N (under torchrun: each process its own GPU)")
    p.add_argument("--export", metavar="NAME", help="after training, write the best checkpoints as pack NAME")
    p.add_argument(
        "--export-out", type=Path, help="folder that holds packs (default ./engines; DIR/engines with --example)"
    )
    p.add_argument(
        "--export-fp16", action=argparse.BooleanOptionalAction, default=True, help="also write FP16 ONNX (default on)"
    )
    p.add_argument("--force-export", action="store_true", help="replace an existing pack of that name")
    p.add_argument(
        "--example",
        type=Path,
        metavar="DIR",
        help="the tiny CPU example: write a synthetic label set and tiny.toml into DIR (new or empty), "
        "train on them into DIR/run and export pack 'tiny' into DIR/engines",
    )


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    given = {key: getattr(args, opt) for opt, key in _OVERRIDES.items() if getattr(args, opt) is not None}
    if args.arch:
        given["archs"] = [a.strip() for a in args.arch.split(",") if a.strip()]
    return given


def run(args: argparse.Namespace, console: Console) -> int:
    if args.example is not None:
        _check_example(args)
    elif args.out is None:
        raise CerLiveError("train needs --out RUN, the run folder (or --example DIR for the tiny example)")
    try:
        from .session import TrainRequest, run_session
    except ImportError as exc:
        raise CerLiveError(
            f"training needs torch and torchvision ({exc.name} is missing): {install_hint('train')}"
        ) from exc
    if args.example is not None:
        args = _example_args(args, console)
    request = TrainRequest(
        out=args.out,
        config_file=args.config,
        overrides=overrides(args),
        resume=args.resume,
        export=args.export,
        export_root=args.export_out or Path("engines"),
        export_fp16=args.export_fp16,
        force_export=args.force_export,
    )
    return run_session(request, console)


def _check_example(args: argparse.Namespace) -> None:
    """Before torch loads: --example writes into a new or empty DIR, in one process, with its own data."""
    from ..errors import TrainError
    from ..example import check_example_folder

    if args.data or args.config or args.resume:
        raise TrainError("--example brings its own data and config; drop DATA, --config and --resume")
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise TrainError("--example runs in one process; start it without torchrun")
    check_example_folder(args.example.expanduser())


def _example_args(args: argparse.Namespace, console: Console) -> argparse.Namespace:
    """Writes the example's data and config into DIR, then points the run at them."""
    from ..example import PER_CLASS, write_example

    root = args.example.expanduser()
    with console.status(f"writing the example label set and tiny.toml into {root} ..."):
        data, config = write_example(root)
    console.print(f"example: {data} ({7 * PER_CLASS} crops, 3 rows to skip) and {config}; training into {root / 'run'}")
    return argparse.Namespace(
        **{
            **vars(args),
            "data": str(data),
            "config": config,
            "out": args.out or root / "run",
            "export": args.export or "tiny",
            "export_out": args.export_out or root / "engines",
        }
    )
