"""`cer-live packs text-classes`: CLIP weights and classes described in words -> a pack (the export extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from ..errors import CerLiveError
from ..install import install_hint


def add_parser(packs_sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = packs_sub.add_parser(
        "text-classes",
        help="build a pack from CLIP weights and classes described in words (EmoCLIP-style; the export extra)",
        parents=parents,
    )
    p.add_argument("--clip", required=True, help="open_clip architecture of the weights, e.g. ViT-B-32")
    p.add_argument("--weights", type=Path, required=True, help="local CLIP weights (state dict, .safetensors or .pt)")
    p.add_argument(
        "--classes", type=Path, default=None, help="CLASSES.toml (default: the bundled seven basic and seven compounds)"
    )
    p.add_argument("--name", required=True, help="pack name: written to OUT/NAME")
    p.add_argument("--out", type=Path, default=Path("engines"), help="folder that holds packs (default ./engines)")
    p.add_argument("--member", default="", help="the member's name (default clip_<arch>)")
    p.add_argument("--prefix", default="", help="use only the weights' keys under this prefix (a wrapped CLIP)")
    p.add_argument(
        "--alignment-scale",
        type=float,
        default=0.8,
        help="shrink the aligned face inside the crop to show brows and chin (default 0.8; 1 = the CNNs' crop)",
    )
    p.add_argument("--with-pack", default=None, help="keep this pack's members and add the CLIP member to them")
    p.add_argument(
        "--fusion",
        choices=("mean", "weighted_mean", "majority"),
        default=None,
        help="the new pack's fusion rule (default: the --with-pack pack's, else mean)",
    )
    p.add_argument("--faces", nargs="*", type=Path, default=[], help="images/videos with faces for the parity check")
    p.add_argument("--force", action="store_true", help="replace an existing pack of that name")


def run(args: argparse.Namespace, err: Console) -> int:
    try:
        from ..export.class_text import default_classes_path
        from ..export.text_classes import TextClassOptions, build_text_class_pack
    except ImportError as exc:
        raise CerLiveError(
            f"packs text-classes needs torch, open-clip-torch and onnx ({exc.name} is missing): {install_hint('export')}"
        ) from exc
    if not 0.3 <= args.alignment_scale <= 1.5:
        raise CerLiveError(f"bad --alignment-scale {args.alignment_scale}; use a value from 0.3 to 1.5")
    options = TextClassOptions(
        clip=args.clip,
        weights=args.weights,
        classes=args.classes or default_classes_path(),
        name=args.name,
        out_root=args.out,
        member=args.member,
        prefix=args.prefix,
        alignment_scale=args.alignment_scale,
        with_pack=args.with_pack,
        fusion=args.fusion,
        faces=tuple(args.faces),
        force=args.force,
    )
    with err.status("building") as status:
        result = build_text_class_pack(options, progress=lambda message: status.update(message))
    fp32 = result.parity["fp32"]
    out = Console(soft_wrap=True)
    out.print(
        f"member '{result.member}': parity on {fp32['faces']} aligned faces, fp32 max |diff| "
        f"{fp32['max_abs_diff']:.2e} (limit 1e-4), top-1 agreement {fp32['top1_agreement']:.1%}",
        highlight=False,
    )
    out.print(f"pack written to {result.path}/ (run it with: cer-live run VIDEO --pack {result.path})", highlight=False)
    return 0
