"""Batch mode: the Message Batches API at half the price.

Batch ids and their items are committed to the store the moment a batch is created, so a
batch interrupted by a kill is collected on the next run, not sent again. Results that
come back `errored`, `canceled` or `expired` are stored as failures and asked again on
the next run. A job is split into batches of at most 100,000 requests and 256 MB.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .client import describe, fatal_message
from .cost import Bill
from .errors import LabelError
from .messages import Job, params, reply_of
from .store import Key, Result, Store

log = logging.getLogger(__name__)

MAX_REQUESTS = 100_000
MAX_BYTES = 256 * 1024 * 1024 - 4 * 1024 * 1024  # a margin for the JSON around the requests
REQUEST_OVERHEAD_BYTES = 600


@dataclass(frozen=True)
class BatchOptions:
    max_tokens: int = 64
    poll_s: float = 60.0
    wait: bool = True  # poll until every batch ends; otherwise leave them for the next run
    max_requests: int = MAX_REQUESTS
    cancel: bool = False  # cancel the folder's open batches, then collect what they hold


@dataclass
class BatchReport:
    created: list[str] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    still_open: list[str] = field(default_factory=list)
    answered: int = 0
    failed: int = 0
    stopped_by_budget: bool = False


def custom_id(key: Key) -> str:
    """64 hex characters: matches ^[a-zA-Z0-9_-]{1,64}$ and is unique per (image, prompt, model)."""
    return hashlib.sha256(f"{key.sha256}|{key.prompt}|{key.model}".encode()).hexdigest()


def _chunks(jobs: list[Job], options: BatchOptions, bill: Bill, report: BatchReport) -> list[list[Job]]:
    chunks: list[list[Job]] = [[]]
    size = 0
    for job in jobs:
        worst = bill.worst_case(job.est_input_tokens, options.max_tokens, batch=True)
        if not bill.can_afford(worst):
            report.stopped_by_budget = True
            break
        bill.reserve(worst)
        nbytes = job.crop.stat().st_size * 4 // 3 + len(job.prompt_text) + REQUEST_OVERHEAD_BYTES
        if chunks[-1] and (len(chunks[-1]) >= options.max_requests or size + nbytes > MAX_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(job)
        size += nbytes
    return [c for c in chunks if c]


def _create(client: Any, chunk: list[Job], options: BatchOptions, store: Store) -> str:
    items = {custom_id(job.key): job.key for job in chunk}
    requests = [{"custom_id": custom_id(j.key), "params": params(j, options.max_tokens)} for j in chunk]
    batch = client.messages.batches.create(requests=requests)
    store.add_batch(batch.id, chunk[0].key.model, items)
    log.info("batch %s created with %d request(s)", batch.id, len(chunk))
    return str(batch.id)


def _collect(
    client: Any, batch_id: str, store: Store, bill: Bill, report: BatchReport, on_done: Callable[[Key], None]
) -> None:
    items = store.batch_items(batch_id)
    seen: set[str] = set()
    for line in client.messages.batches.results(batch_id):
        key = items.get(line.custom_id)
        if key is None or line.custom_id in seen:
            continue
        seen.add(line.custom_id)
        result = line.result
        if result.type == "succeeded":
            reply = reply_of(result.message)
            usd = bill.add(reply.input_tokens, reply.output_tokens, batch=True)
            store.put_result(
                Result(
                    key,
                    reply.text,
                    reply.input_tokens,
                    reply.output_tokens,
                    usd,
                    "batch",
                    str(getattr(result.message, "id", "")),
                )
            )
            report.answered += 1
        else:
            error = getattr(getattr(getattr(result, "error", None), "error", None), "message", "")
            store.put_failure(key, "batch", f"{result.type}{': ' + error if error else ''}")
            report.failed += 1
        on_done(key)
    for cid in set(items) - seen:
        store.put_failure(items[cid], "batch", "missing from the batch results")
        report.failed += 1
    store.close_batch(batch_id)
    report.collected.append(batch_id)


def run_batch(
    client: Any, jobs: list[Job], options: BatchOptions, store: Store, bill: Bill, on_done: Callable[[Key], None]
) -> BatchReport:
    report = BatchReport()
    try:
        if not options.cancel:
            waiting = store.in_open_batches()
            fresh = [job for job in jobs if job.key not in waiting]
            for chunk in _chunks(fresh, options, bill, report):
                report.created.append(_create(client, chunk, options, store))
        open_ids = store.open_batches()
        if options.cancel:
            for batch_id in open_ids:
                client.messages.batches.cancel(batch_id)
        _poll(client, open_ids, options, store, bill, report, on_done)
    except LabelError:
        raise
    except Exception as exc:
        fatal = fatal_message(exc, jobs[0].key.model if jobs else "?")
        raise LabelError(fatal or f"the Message Batches API failed: {describe(exc)}; rerun to resume") from exc
    return report


def _poll(
    client: Any,
    open_ids: list[str],
    options: BatchOptions,
    store: Store,
    bill: Bill,
    report: BatchReport,
    on_done: Callable[[Key], None],
) -> None:
    remaining = list(open_ids)
    while remaining:
        for batch_id in list(remaining):
            batch = client.messages.batches.retrieve(batch_id)
            if batch.processing_status == "ended":
                _collect(client, batch_id, store, bill, report, on_done)
                remaining.remove(batch_id)
        if not remaining or not options.wait:
            break
        time.sleep(options.poll_s)
    report.still_open = remaining
