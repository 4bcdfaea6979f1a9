"""`cer-live packs quantize`: a pack with static INT8 members, and their agreement with fp32.

The quantization code (export layer: onnx and onnxruntime.quantization) is imported only
when this sub-command runs, never by the runtime.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..errors import CerLiveError


def add_parser(packs_sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    q = packs_sub.add_parser(
        "quantize",
        help="a copy of a pack with static INT8 members for the CPU, agreement with fp32 measured",
        parents=parents,
    )
    q.add_argument("pack", help="the pack to quantize (name or folder)")
    q.add_argument(
        "--calibration", nargs="+", type=Path, required=True, metavar="MEDIA", help="videos or photos with faces"
    )
    q.add_argument("--name", required=True, help="the new pack's name")
    q.add_argument("--out", type=Path, default=Path("engines"), help="folder the new pack goes into")
    q.add_argument("--faces", type=int, default=300, help="calibration faces (a third as many more are held out)")
    q.add_argument("--min-agreement", type=float, default=0.98, help="top-1 agreement with fp32 a member needs (0..1)")
    q.add_argument("--force", action="store_true", help="keep members below --min-agreement")


def run(args: argparse.Namespace, err: Console) -> int:
    if not 0.0 <= args.min_agreement <= 1.0:
        raise CerLiveError(f"bad --min-agreement {args.min_agreement}; give a share between 0 and 1 (0.98 = 98%)")
    if args.faces < 16:
        raise CerLiveError(f"bad --faces {args.faces}; give 16 or more (a few hundred calibrate well)")
    try:
        from ..export.int8_pack import QuantizeOptions, quantize_pack
    except ImportError as exc:
        from ..install import install_hint

        raise CerLiveError(f"packs quantize needs onnx ({exc.name} is missing); {install_hint('export')}") from None
    options = QuantizeOptions(
        pack=args.pack,
        calibration=tuple(args.calibration),
        name=args.name,
        out_root=args.out,
        faces=args.faces,
        min_agreement=args.min_agreement,
        force=args.force,
    )
    with err.status("quantizing") as status:
        result = quantize_pack(options, progress=lambda text: status.update(text))
    Console().print(_table(result), soft_wrap=True)
    return 0


def _table(result) -> Table:  # type: ignore[no-untyped-def]
    table = Table(
        title=f"{result.path}: INT8 against fp32 on {result.held_out_faces} held-out faces "
        f"(calibrated on {result.calibration_faces} others)"
    )
    for column in ("member", "fp32 MB", "int8 MB", "top-1 agreement", "max |delta p|", ""):
        table.add_column(column, justify="left" if column in ("member", "") else "right")
    for m in result.members:
        a = m.agreement
        table.add_row(
            m.name,
            f"{m.fp32_bytes / 1e6:.1f}",
            f"{m.int8_bytes / 1e6:.1f}",
            f"{a.top1_agreement:.1%}",
            f"{a.max_abs_delta_p:.4f}",
            "" if m.accepted else "below the limit, kept (--force)",
        )
    table.add_row(
        "fused label", "", "", f"{result.fused.top1_agreement:.1%}", f"{result.fused.max_abs_delta_p:.4f}", ""
    )
    return table
