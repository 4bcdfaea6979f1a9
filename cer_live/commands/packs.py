"""`cer-live packs`: list the packs on the search path (manifests only), or validate one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from . import packs_quantize  # its parser only; the quantization code loads when it runs


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    packs = sub.add_parser("packs", help="list or show model packs", parents=parents)
    packs_sub = packs.add_subparsers(dest="packs_command")
    packs_sub.add_parser("list", help="packs on the search path (the default)", parents=parents)
    show = packs_sub.add_parser(
        "show", help="validate a pack (every file's sha256) and show its manifest", parents=parents
    )
    show.add_argument("name", nargs="?", default="default")
    packs_quantize.add_parser(packs_sub, parents)
    _add_import(packs_sub, parents)


def _add_import(packs_sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    imp = packs_sub.add_parser(
        "import", help="make a pack of downloaded HSEmotion ONNX models (docs/hsemotion.md)", parents=parents
    )
    imp.add_argument("family", choices=("hsemotion",), help="whose models the files are")
    imp.add_argument("files", nargs="+", type=Path, metavar="MODEL.onnx")
    imp.add_argument("--name", required=True, help="the new pack's name (its folder under --out)")
    imp.add_argument(
        "--model-name",
        action="append",
        default=[],
        help="which model a file is, once per file in order (default: the file name, e.g. enet_b0_8_va_mtl)",
    )
    imp.add_argument("--out", type=Path, default=Path("engines"), help="folder that gets NAME/ (default ./engines)")
    imp.add_argument(
        "--margin", type=float, default=0.0, help="grow each face box by this fraction per side (default 0)"
    )
    from . import packs_text_classes  # its export code loads only when it runs

    packs_text_classes.add_parser(packs_sub, parents)


def run(args: argparse.Namespace, err: Console) -> int:
    if args.packs_command == "quantize":
        return packs_quantize.run(args, err)
    from ..models.packs import list_packs, load_pack, read_listing

    if args.packs_command == "import":
        return _import(args, err)
    if args.packs_command == "text-classes":
        from . import packs_text_classes

        return packs_text_classes.run(args, err)
    if args.packs_command in (None, "list"):
        found = list_packs()
        if not found:
            err.print("no packs found; see docs/packs.md for the pack format", highlight=False)
            return 1
        # Plain tab-separated lines, never wrapped, so that grep and awk read them.
        for path in found:
            sys.stdout.write(read_listing(path) + "\n")
        return 0
    pack = load_pack(args.name)
    Console().print(
        f"pack '{pack.name}' at {pack.path}: valid, {len(pack.members)} member(s), fusion {pack.fusion}",
        highlight=False,
        soft_wrap=True,
    )
    sys.stdout.write(json.dumps(pack.manifest, indent=2) + "\n")
    return 0


def _import(args: argparse.Namespace, err: Console) -> int:
    from .packs_import import ImportRequest, import_pack

    request = ImportRequest(tuple(args.files), args.name, args.out, tuple(args.model_name), args.margin)
    path = import_pack(request, lambda line: err.print(line, highlight=False))
    Console().print(f"pack written to {path}; run it with --pack {path}", highlight=False, soft_wrap=True)
    return 0
