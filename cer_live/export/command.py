"""`cer-live export`: arguments -> export_pack, with progress and a parity table."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from ..classes import COMPOUND_CLASSES
from ..errors import ExportError
from ..models.backends.torch_architectures import ARCHITECTURES
from ..validate import Range, check_all
from .build import ExportOptions, MemberInput, export_pack
from .checkpoints import expand, load_checkpoint


def _members(args: argparse.Namespace) -> list[MemberInput]:
    members = [
        MemberInput(c.arch, c.arch, checkpoint=c) for c in (load_checkpoint(p, a) for a, p in expand(args.checkpoints))
    ]
    wanted = [a.strip() for a in args.random.split(",") if a.strip()]
    if wanted == ["all"]:
        wanted = list(ARCHITECTURES)
    for i, arch in enumerate(wanted):
        if arch not in ARCHITECTURES:
            raise ExportError(f"unknown architecture '{arch}' in --random; choose from {', '.join(ARCHITECTURES)}")
        members.append(
            MemberInput(
                f"{arch}_untrained" if any(m.name == arch for m in members) else arch,
                arch,
                seed=args.seed + i,
            )
        )
    return members


def run_export(args: argparse.Namespace, err: Console) -> int:
    classes = tuple(c.strip() for c in args.classes.split(",")) if args.classes else COMPOUND_CLASSES
    check_all(
        (
            ("--parity-faces", args.parity_faces, Range(64, 100_000, "faces (parity needs 64)", integer=True)),
            ("--seed", args.seed, Range(0, 2**32 - 1, integer=True)),
        ),
        ExportError,
    )
    options = ExportOptions(
        name=args.name,
        out_root=args.out,
        classes=classes,
        colour=args.colour,
        fp16=args.fp16,
        fused=args.fused,
        fusion=args.fusion,
        faces=tuple(args.faces),
        parity_faces=args.parity_faces,
        force=args.force,
    )
    members = _members(args)
    with err.status("exporting") as status:
        result = export_pack(members, options, progress=lambda message: status.update(message))
    table = Table(
        title=f"pack '{args.name}': parity on real aligned faces (softmax vs torch fp32)",
        title_justify="left",
    )
    for column in (
        "member",
        "faces",
        "fp32 max |diff|",
        "fp32 top-1",
        "fp16 max |diff|",
        "fp16 top-1",
    ):
        table.add_column(column, justify="left" if column == "member" else "right")
    for name, report in result.parity.items():
        fp32, fp16 = report["fp32"], report.get("fp16")
        note = " (float32 noise)" if fp32.get("within_float32_noise") else ""
        table.add_row(
            name,
            str(fp32["faces"]),
            f"{fp32['max_abs_diff']:.2e}{note}",
            f"{fp32['top1_agreement']:.1%}",
            f"{fp16['max_abs_diff']:.2e}" if fp16 else "-",
            (f"{fp16['top1_agreement']:.1%}" + ("" if fp16["enforced"] else " (untrained: not enforced)"))
            if fp16
            else "-",
        )
    out = Console()
    if not out.is_terminal:
        out = Console(width=140)  # logs and CI: keep the table readable
    out.print(table)
    out.print(
        f"pack written to {result.path}/ (run it with: cer-live run VIDEO --pack {result.path})",
        highlight=False,
    )
    return 0
