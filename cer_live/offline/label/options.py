"""The command's arguments: parsed, then checked in full before anything is written."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...validate import TIMEOUT, Range, check_all
from .errors import LabelError
from .parse import RULES
from .prompts import BUILTIN
from .select import MODES

DEFAULT_MODEL = "claude-sonnet-4-5"


HELP = "pseudo-label face crops with Claude (needs the label extra and ANTHROPIC_API_KEY)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    add_arguments(subparsers.add_parser("label", help=HELP, description=HELP))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="videos, image folders, or folders of them")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output folder: crops/, labels.csv, labels.meta.json, the resumable store",
    )
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"Claude model id (default {DEFAULT_MODEL})")
    ask = p.add_argument_group("what is asked")
    ask.add_argument(
        "--prompt",
        default="paper1",
        help=f"built-in prompt id: {', '.join(BUILTIN)} (the paper's Table 1; default paper1)",
    )
    ask.add_argument("--prompt-file", type=Path, help="a custom prompt, read from this UTF-8 text file")
    ask.add_argument(
        "--consensus", action="store_true", help="ask both paper prompts; keep a label only when they agree"
    )
    ask.add_argument(
        "--multi-name",
        choices=RULES,
        default="reference",
        help="several class names in one reply: the reference recipe's rule, or no label (strict)",
    )
    ask.add_argument("--max-tokens", type=int, default=64, help="reply length cap in tokens (default 64)")
    pick = p.add_argument_group("which frames")
    pick.add_argument("--every", type=int, default=1, help="consider every K-th frame (default 1)")
    pick.add_argument("--max-per-video", type=int, help="label at most N frames per video")
    pick.add_argument(
        "--select",
        choices=MODES,
        default="even",
        help="with --max-per-video: evenly spaced, or where the pack is least certain / its members disagree",
    )
    pick.add_argument(
        "--pack",
        default="default",
        help="pack whose detector finds faces and whose ensemble ranks uncertainty (default: default)",
    )
    pick.add_argument("--det-size", type=int, help="detector input long side in pixels (pack default)")
    pick.add_argument(
        "--borrow-within",
        type=int,
        default=12,
        help="a chosen frame without a face borrows the nearest face this many frames away at most (0 = off)",
    )
    pick.add_argument(
        "--fill-within",
        type=int,
        default=12,
        help="an unlabelled frame takes the nearest label this many frames away at most (0 = off)",
    )
    pick.add_argument(
        "--crop-size", type=int, default=224, help="aligned crop side in pixels (default 224, the training input)"
    )
    pick.add_argument(
        "--crop-scale", type=float, default=1.0, help="alignment template scale (default 1.0, as cer-live export)"
    )
    pick.add_argument("--crop-shift-y", type=float, default=0.0, help="alignment template vertical shift (default 0.0)")
    pick.add_argument("--threads", type=int, default=2, help="detector and ensemble threads (default 2)")
    send = p.add_argument_group("how it is sent")
    send.add_argument(
        "--batch", action="store_true", help="use the Message Batches API (half price, results within 24 h)"
    )
    send.add_argument(
        "--no-wait", action="store_true", help="with --batch: create the batches and exit; rerun to collect"
    )
    send.add_argument(
        "--poll", type=float, default=60.0, help="with --batch: seconds between status checks (default 60)"
    )
    send.add_argument(
        "--cancel-batches",
        action="store_true",
        help="cancel this folder's open batches, collect what they hold, send nothing new",
    )
    send.add_argument(
        "--batch-max-requests", type=int, default=100_000, help="requests per batch (default and maximum 100000)"
    )
    send.add_argument("--rate", type=float, default=50.0, help="sync mode: requests per minute (default 50)")
    send.add_argument("--concurrency", type=int, default=4, help="sync mode: requests in flight (default 4)")
    send.add_argument(
        "--max-retries",
        type=int,
        default=4,
        help="the SDK's retries per request on 408/409/429/5xx/dropped connections (default 4)",
    )
    send.add_argument("--timeout", type=float, default=60.0, help="seconds per request attempt (default 60)")
    money = p.add_argument_group("cost")
    money.add_argument(
        "--max-cost", type=float, help="stop before this run's spending (USD, worst case) would pass this"
    )
    money.add_argument("--prices", type=Path, help="JSON or TOML price table overriding the built-in one")
    money.add_argument(
        "--dry-run", action="store_true", help="find faces and save crops, estimate the cost, send nothing"
    )


def check(args: argparse.Namespace) -> None:
    """Every number and combination, before any file is touched."""
    check_all(
        (
            ("--every", args.every, Range(1, 100_000, "frames", integer=True)),
            ("--crop-size", args.crop_size, Range(32, 1024, "pixels", integer=True)),
            ("--det-size", args.det_size, Range(64, 4096, "pixels (the long side)", integer=True)),
            ("--threads", args.threads, Range(1, 256, "threads", integer=True)),
            ("--concurrency", args.concurrency, Range(1, 256, "requests", integer=True)),
            ("--max-tokens", args.max_tokens, Range(1, 8192, "tokens", integer=True)),
            ("--max-per-video", args.max_per_video, Range(1, 10_000_000, "frames", integer=True)),
            ("--borrow-within", args.borrow_within, Range(0, 100_000, "frames (0 = off)", integer=True)),
            ("--fill-within", args.fill_within, Range(0, 100_000, "frames (0 = off)", integer=True)),
            ("--max-retries", args.max_retries, Range(0, 100, "retries", integer=True)),
            ("--rate", args.rate, Range(0, 100_000, "requests per minute", low_open=True)),
            ("--timeout", args.timeout, TIMEOUT),
            ("--poll", args.poll, Range(0, 86_400, "seconds")),
            ("--batch-max-requests", args.batch_max_requests, Range(1, 100_000, "requests", integer=True)),
            ("--max-cost", args.max_cost, Range(0, 1_000_000, "US dollars")),
            ("--crop-scale", args.crop_scale, Range(0.5, 2.0)),
            ("--crop-shift-y", args.crop_shift_y, Range(-0.5, 0.5)),
        ),
        LabelError,
    )
    if args.select == "uncertain" and args.max_per_video is None:
        raise LabelError("--select uncertain ranks frames for --max-per-video N; give --max-per-video")
    if (args.no_wait or args.cancel_batches) and not args.batch:
        raise LabelError("--no-wait and --cancel-batches belong to --batch; add --batch")
    if not args.model.strip():
        raise LabelError("--model is empty; give a Claude model id such as claude-sonnet-4-5")
