"""`cer-live train`: arguments -> config -> a run (under torchrun: one per process) -> optional pack.

torch is imported only when the command runs, so that registering it costs nothing.
"""

from __future__ import annotations

import argparse
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
        "--out", type=Path, required=True, help="run folder: checkpoints, config.toml, run.json, history.jsonl"
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
        "--export-out", type=Path, default=Path("engines"), help="folder that holds packs (default ./engines)"
    )
    p.add_argument(
        "--export-fp16", action=argparse.BooleanOptionalAction, default=True, help="also write FP16 ONNX (default on)"
    )
    p.add_argument("--force-export", action="store_true", help="replace an existing pack of that name")


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    given = {key: getattr(args, opt) for opt, key in _OVERRIDES.items() if getattr(args, opt) is not None}
    if args.arch:
        given["archs"] = [a.strip() for a in args.arch.split(",") if a.strip()]
    return given


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        from .session import TrainRequest, run_session
    except ImportError as exc:
        raise CerLiveError(
            f"training needs torch and torchvision ({exc.name} is missing): {install_hint('train')}"
        ) from exc
    request = TrainRequest(
        out=args.out,
        config_file=args.config,
        overrides=overrides(args),
        resume=args.resume,
        export=args.export,
        export_root=args.export_out,
        export_fp16=args.export_fp16,
        force_export=args.force_export,
    )
    return run_session(request, console)
