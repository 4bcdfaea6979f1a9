"""The `cer-live` command: parse, dispatch to a sub-command, print errors on one line.

Only argparse is imported at module level, so that Ctrl-C at any point after start-up
ends quietly with exit 130; each sub-command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any

from . import PRODUCER

log = logging.getLogger("cer_live")
EXIT_INTERRUPTED = 130
# name -> module under cer_live.commands with add_parser(sub, parents) and run(args, console)
COMMANDS = ("run", "packs", "export", "sample")
# Commands whose code the runtime never imports: listed here by name, their own module builds
# their parser when they run, so `cer-live run` loads nothing from offline/ or bench/.
HANDED_OVER = {
    "label": ("cer_live.offline.label.command", "pseudo-label face crops with Claude (the label extra)"),
    "train": ("cer_live.offline.train.command", "train the ensemble's CNNs (the train extra)"),
    "evaluate": ("cer_live.offline.evaluate.command", "score predictions or a pack against labels (ABAW macro F1)"),
    "bench": ("cer_live.bench.command", "measure latency and throughput per stage, with baselines (the bench extra)"),
}


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a value given before the sub-command from being reset by the sub-parser.
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="verbose logs and full tracebacks"
    )
    parser = argparse.ArgumentParser(
        prog="cer-live", description="Real-time compound facial expression recognition.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=PRODUCER)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).add_parser(sub, [common])
    for name, (_, help_text) in HANDED_OVER.items():
        opaque = sub.add_parser(
            name, help=f"{help_text}; see 'cer-live {name} --help'", add_help=False, prefix_chars="\x00"
        )
        opaque.add_argument("handed_over", nargs="*")
    return parser


def _hand_over(name: str, argv: list[str], err: Any) -> int:
    """Parses a handed-over command's arguments with its own parser, then runs it."""
    module = importlib.import_module(HANDED_OVER[name][0])
    parser = argparse.ArgumentParser(prog="cer-live")
    module.add_parser(parser.add_subparsers(dest="command", required=True))
    return module.run(parser.parse_args([name, *argv]), err)


class _RedactUrls(logging.Filter):
    """Credentials in stream URLs never reach a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .sources.urls import redact_all

        record.msg = redact_all(record.getMessage())
        record.args = None
        return True


def _configure_logging(console: Any, debug: bool) -> None:
    handler: logging.Handler
    if console.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_path=debug, show_time=debug, markup=False, rich_tracebacks=debug)
    else:
        # A file or a pipe gets one plain line per record: never wrapped, never padded.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-8s %(message)s"))
    handler.addFilter(_RedactUrls())
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=[handler], force=True)


def _quiet_opencv() -> None:
    """FFmpeg and OpenCV print their own lines (with URLs) for every failed connect; our one-line
    errors and status events say it better. Set before anything imports cv2, which reads them."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")


def _stderr() -> Any:
    from rich.console import Console

    # soft_wrap: one-line errors stay on one line, whatever the width of the terminal or pipe.
    return Console(stderr=True, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--debug" not in argv:
        _quiet_opencv()
    try:
        args = _parser().parse_args(argv)
        if args.command in HANDED_OVER and "--debug" in args.handed_over:
            args.handed_over.remove("--debug")
            args.debug = True
        debug = getattr(args, "debug", False)
        err = _stderr()
        _configure_logging(err, debug)
        return _dispatch(args, err, debug)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED


def _dispatch(args: argparse.Namespace, err: Any, debug: bool) -> int:
    from rich.markup import escape

    from .errors import CerLiveError
    from .sources.urls import redact_all

    try:
        if args.command in HANDED_OVER:
            return _hand_over(args.command, args.handed_over, err)
        return importlib.import_module(f".commands.{args.command}", __package__).run(args, err)
    except CerLiveError as exc:
        err.print(f"[bold red]error:[/] {escape(redact_all(str(exc)))}", highlight=False)
        return exc.exit_code
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug, not bad input: one line unless asked for more
        if debug:
            import traceback

            traceback.print_exc()
        else:
            message = redact_all(f"unexpected {type(exc).__name__}: {exc}")
            err.print(f"[bold red]error:[/] {escape(message)} (rerun with --debug for the traceback)", highlight=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
