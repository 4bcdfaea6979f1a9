"""`cer-live packs`: list the packs on the search path (manifests only), or validate one."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    packs = sub.add_parser("packs", help="list or show model packs", parents=parents)
    packs_sub = packs.add_subparsers(dest="packs_command")
    packs_sub.add_parser("list", help="packs on the search path (the default)", parents=parents)
    show = packs_sub.add_parser(
        "show", help="validate a pack (every file's sha256) and show its manifest", parents=parents
    )
    show.add_argument("name", nargs="?", default="default")
    from . import packs_text_classes  # its export code loads only when it runs

    packs_text_classes.add_parser(packs_sub, parents)


def run(args: argparse.Namespace, err: Console) -> int:
    from ..models.packs import list_packs, load_pack, read_listing

    if args.packs_command == "text-classes":
        from . import packs_text_classes

        return packs_text_classes.run(args, err)
    if args.packs_command in (None, "list"):
        found = list_packs()
        if not found:
            err.print("no packs found; see the README for the pack format", highlight=False)
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
