"""`cer-live label`: the command's flow, from sources to DIR/labels.csv.

check everything -> faces and crops -> skip what the store has -> ask (sync or batch)
-> labels.csv, labels.meta.json, replies.jsonl, frames.csv -> summary.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console

from ...errors import CerLiveError
from . import faces
from .assemble import assemble, keys_of
from .client import REDACTOR, AttemptCounter, ClientSettings, Redactor, api_key, import_sdk, make_client, redact
from .cost import Bill, Price, input_tokens, price_for
from .errors import LabelError
from .messages import Job
from .options import add_parser as add_parser  # noqa: F401  (for a parser that holds every sub-command)
from .options import check
from .progress import bar
from .prompts import Prompt, choose
from .scan import FramePlan, ScanOptions, plan_video
from .store import Store
from .summary import print_estimate, print_summary
from .training_set import write_frames, write_labels, write_meta, write_replies
from .transport_batch import BatchOptions, run_batch
from .transport_sync import SyncOptions, run_sync

log = logging.getLogger(__name__)
EXIT_INCOMPLETE = 3  # outputs written, but requests remain (budget, failures, open batches): rerun


def run(args: argparse.Namespace, console: Console) -> int:
    try:
        return _run(args, console)
    except Exception as exc:
        # Whatever the failure, its line goes through the one redaction: an error body that
        # echoes the request's headers must not print the key.
        text = str(exc)
        if not REDACTOR.secret or REDACTOR.secret not in text:
            raise
        if isinstance(exc, CerLiveError):
            raise type(exc)(redact(text)) from None
        raise LabelError(f"{type(exc).__name__}: {redact(text)}") from None


def _run(args: argparse.Namespace, console: Console) -> int:
    check(args)
    prompts = choose(args.prompt, args.prompt_file, args.consensus)
    price = price_for(args.model, args.prices)
    if args.max_cost is not None and price is None:
        raise LabelError(f"no price known for model '{args.model}', so --max-cost cannot be kept; give --prices FILE")
    key = ""
    if not args.dry_run:
        import_sdk()
        key = api_key()
        REDACTOR.secret = key
    _guard_logs(REDACTOR)
    inputs = faces.open_inputs(args.sources)
    pack = faces.pack(args.pack)
    out = _prepare_out(args.out)
    store = Store(out / "labels.sqlite")
    try:
        spec = faces.CropSpec(args.crop_size, args.crop_scale, args.crop_shift_y)
        det_size = args.det_size or pack.detector.config.input_long_side
        store.check_settings(
            {"crop": [spec.size, spec.scale, spec.shift_y], "detector": [faces.detector_digest(pack), det_size]}
        )
        plans = _plan(inputs, pack, args, spec, out, console)
        jobs = _jobs(plans, prompts, args.model, store, spec)
        if args.dry_run:
            print_estimate(jobs, price, args.max_tokens, args.model)
            return 0
        return _ask_and_write(args, console, store, out, plans, prompts, jobs, key, price)
    finally:
        store.close()


def _guard_logs(redactor: Redactor) -> None:
    for handler in [*logging.getLogger().handlers, logging.lastResort]:
        if handler is not None and redactor not in handler.filters:
            handler.addFilter(redactor)
    # The SDK and its HTTP client log requests (with images) at debug level; our own lines say enough.
    for name in ("anthropic", "httpx", "httpx2", "httpcore", "httpcore2"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _prepare_out(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".cer-live-probe-"):
            pass
    except (FileExistsError, NotADirectoryError) as exc:
        raise LabelError(f"--out '{path}' is a file, not a folder; choose another --out") from exc
    except OSError as exc:
        raise LabelError(
            f"--out '{path}' is not writable ({exc.strerror}); fix its permissions or choose another --out"
        ) from exc
    return path


def _plan(
    inputs: list[faces.VideoInput],
    pack: Any,
    args: argparse.Namespace,
    spec: faces.CropSpec,
    out: Path,
    console: Console,
) -> list[FramePlan]:
    finder = faces.FaceFinder(pack, args.det_size, args.threads)
    scorer = faces.Scorer(pack, args.threads) if args.select == "uncertain" else None
    options = ScanOptions(args.every, args.max_per_video, args.select, args.borrow_within, spec)
    plans: list[FramePlan] = []
    try:
        with bar(console) as progress:
            for video in inputs:
                task = progress.add_task(f"faces {video.name}", total=video.expected_frames)
                plans += plan_video(video, finder, scorer, options, out, lambda n: progress.update(task, completed=n))
    finally:
        if scorer is not None:
            scorer.close()
    return plans


def _jobs(
    plans: list[FramePlan], prompts: tuple[Prompt, ...], model: str, store: Store, spec: faces.CropSpec
) -> list[Job]:
    """One job per (crop, prompt) the store has no reply for; a borrowed face is asked about once."""
    done = store.done(model)
    text = {p.id: p.text for p in prompts}
    jobs: dict[Any, Job] = {}
    for plan in plans:
        for key in keys_of(plan, prompts, model):
            if key not in done and key not in jobs and plan.crop is not None:
                est = input_tokens(plan.crop.width, plan.crop.height, text[key.prompt])
                jobs[key] = Job(key, plan.crop.path, text[key.prompt], est)
    return list(jobs.values())


def _ask_and_write(
    args: argparse.Namespace,
    console: Console,
    store: Store,
    out: Path,
    plans: list[FramePlan],
    prompts: tuple[Prompt, ...],
    jobs: list[Job],
    key: str,
    price: Price | None,
) -> int:
    bill = Bill(price, args.max_cost)
    counter = AttemptCounter()
    client = make_client(key, ClientSettings(args.max_retries, args.timeout), counter)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    report: Any = None
    interrupted = False
    try:
        report = _ask(args, console, client, jobs, store, bill)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        client.close()
        assembled = assemble(plans, prompts, args.model, store, args.multi_name, args.fill_within)
        requests = _request_counts(report, counter, len(jobs), interrupted)
        counts = {**assembled.counts, "requests": requests, "cost": _cost(bill, price)}
        write_labels(out, assembled.rows)
        write_frames(out, assembled.frames)
        write_replies(out, assembled.replies)
        write_meta(out, _settings(args, prompts, started), counts)
        print_summary(counts, out)
    if interrupted:
        raise KeyboardInterrupt
    incomplete = counts["status"].get("pending", 0) or requests.get("batches_open") or requests.get("stopped_by_budget")
    return EXIT_INCOMPLETE if incomplete else 0


def _ask(args: argparse.Namespace, console: Console, client: Any, jobs: list[Job], store: Store, bill: Bill) -> Any:
    with bar(console) as progress:
        task = progress.add_task("asking Claude", total=len(jobs))
        advance = lambda *_: progress.update(task, advance=1, description=f"asking Claude (${bill.spent:.4f})")  # noqa: E731
        if args.batch:
            options = BatchOptions(
                args.max_tokens, args.poll, not args.no_wait, args.batch_max_requests, args.cancel_batches
            )
            return run_batch(client, jobs, options, store, bill, advance)
        options_sync = SyncOptions(args.concurrency, args.rate, args.max_tokens)
        return run_sync(client, jobs, options_sync, store, bill, advance)


def _request_counts(report: Any, counter: AttemptCounter, asked: int, interrupted: bool) -> dict[str, Any]:
    counts: dict[str, Any] = {"needed": asked, "http_attempts": counter.attempts, "interrupted": interrupted}
    if report is not None:
        counts.update(answered=report.answered, failed=report.failed, stopped_by_budget=report.stopped_by_budget)
        if hasattr(report, "created"):
            counts.update(
                batches_created=report.created, batches_collected=report.collected, batches_open=report.still_open
            )
        else:  # every attempt beyond one per finished request was one of the SDK's retries
            counts["retries"] = counter.attempts - report.answered - report.failed
    return counts


def _cost(bill: Bill, price: Price | None) -> dict[str, Any]:
    return {
        "input_tokens": bill.input_tokens,
        "output_tokens": bill.output_tokens,
        "usd": round(bill.spent, 6),
        "usd_by_mode": {k: round(v, 6) for k, v in bill.by_mode.items()},
        "prices": None
        if price is None
        else {"model": price.model, "input_per_mtok": price.input, "output_per_mtok": price.output, "date": price.date},
    }


def _settings(args: argparse.Namespace, prompts: tuple[Prompt, ...], started: str) -> dict[str, Any]:
    keep = (
        "model",
        "every",
        "max_per_video",
        "select",
        "pack",
        "det_size",
        "borrow_within",
        "fill_within",
        "crop_size",
        "crop_scale",
        "crop_shift_y",
        "batch",
        "rate",
        "concurrency",
        "max_retries",
        "timeout",
        "max_tokens",
        "max_cost",
        "multi_name",
        "consensus",
    )
    settings = {name: getattr(args, name) for name in keep}
    settings.update(started=started, sources=[str(s) for s in args.sources], prompts={p.id: p.text for p in prompts})
    return settings
