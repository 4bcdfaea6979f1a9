"""`cer-live export`: torchvision checkpoints to a model pack (the export code needs the train extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ..errors import CerLiveError
from ..install import install_hint


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export", help="export torchvision checkpoints to a model pack (needs the train extra)", parents=parents
    )
    export.add_argument(
        "checkpoints", nargs="*", help="state_dict files, ARCH=FILE pairs, or a folder of model0.pth..model4.pth"
    )
    export.add_argument("--name", required=True, help="pack name: written to OUT/NAME")
    export.add_argument("--out", type=Path, default=Path("engines"), help="folder that holds packs (default ./engines)")
    export.add_argument(
        "--random",
        default="",
        help="also add untrained members of these architectures (comma list, or 'all'): for testing only",
    )
    export.add_argument("--seed", type=int, default=0, help="seed for --random members")
    export.add_argument(
        "--classes",
        default=None,
        help="the checkpoints' class order, comma-separated (default: the ABAW compound order)",
    )
    export.add_argument(
        "--colour",
        choices=("bgr", "rgb"),
        default="bgr",
        help="channel order the checkpoints were trained on (default bgr, see docs/export.md)",
    )
    export.add_argument(
        "--fp16",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also write an FP16 ONNX per member (default on)",
    )
    export.add_argument("--fused", action="store_true", help="also write one ONNX graph holding every member")
    export.add_argument(
        "--fusion",
        choices=("majority", "mean", "weighted_mean"),
        default="majority",
        help="the pack's fusion rule (default majority, as the paper)",
    )
    export.add_argument(
        "--faces",
        nargs="*",
        type=Path,
        default=[],
        help="images/videos with faces for the parity check (default: bundled samples)",
    )
    export.add_argument("--parity-faces", type=int, default=64, help="aligned faces used for parity (at least 64)")
    export.add_argument("--force", action="store_true", help="replace an existing pack of that name")


def run(args: argparse.Namespace, err: Console) -> int:
    try:
        from ..export.command import run_export
    except ImportError as exc:
        raise CerLiveError(
            f"export needs torch, torchvision and onnx ({exc.name} is missing): {install_hint('train')}"
        ) from exc
    return run_export(args, err)
