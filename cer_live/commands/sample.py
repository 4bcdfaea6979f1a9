"""`cer-live sample`: fetch a sample clip or picture once (cached) and print its path."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    sample = sub.add_parser(
        "sample", help="fetch a sample video or picture (cached) and print its path", parents=parents
    )
    sample.add_argument(
        "name",
        nargs="?",
        default=None,
        help="sample name, with or without its extension (default: a short clip with one face)",
    )
    sample.add_argument("--list", action="store_true", help="list the sample media")


def run(args: argparse.Namespace, err: Console) -> int:
    from .. import samples

    if args.list:
        for name in samples.MEDIA:
            sys.stdout.write(name + "\n")
        return 0
    name = samples.resolve(args.name or samples.DEFAULT_SAMPLE)
    sys.stdout.write(str(samples.fetch(name)) + "\n")
    return 0
