"""Sync mode: concurrent Messages requests under a requests-per-minute pace and a budget.

The SDK retries 408/409/429/5xx and dropped connections itself (honouring retry-after-ms
and retry-after); what still fails is stored as a failure and asked again on the next run.
Every reply is committed to the store as it arrives, so a kill loses only requests in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from .client import describe, fatal_message, is_api_error
from .cost import Bill
from .errors import LabelError
from .messages import Job, Reply, params, reply_of
from .ratelimit import RateLimiter
from .store import Result, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOptions:
    concurrency: int = 4
    per_minute: float = 50.0
    max_tokens: int = 64


@dataclass(frozen=True)
class Outcome:
    job: Job
    reply: Reply | None = None
    request_id: str = ""
    retries: int = 0
    error: BaseException | None = None


@dataclass
class SyncReport:
    answered: int = 0
    failed: int = 0
    stopped_by_budget: bool = False


def _call(client: Any, job: Job, options: SyncOptions) -> Outcome:
    try:
        raw = client.messages.with_raw_response.create(**params(job, options.max_tokens))
        return Outcome(
            job, reply_of(raw.parse()), raw.headers.get("request-id", ""), int(getattr(raw, "retries_taken", 0))
        )
    except Exception as exc:  # sorted by the caller: fatal (401/403/404) or stored as a failure
        return Outcome(job, error=exc)


def run_sync(
    client: Any,
    jobs: Iterable[Job],
    options: SyncOptions,
    store: Store,
    bill: Bill,
    on_done: Callable[[Outcome], None],
) -> SyncReport:
    report = SyncReport()
    limiter = RateLimiter(options.per_minute)
    pending = iter(jobs)
    inflight: dict[Future[Outcome], float] = {}
    fatal: str | None = None
    with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="label") as pool:
        while True:
            while fatal is None and len(inflight) < options.concurrency:
                job = next(pending, None)
                if job is None:
                    break
                worst = bill.worst_case(job.est_input_tokens, options.max_tokens, batch=False)
                if not bill.can_afford(worst):
                    report.stopped_by_budget = True
                    pending = iter(())
                    break
                limiter.wait()
                bill.reserve(worst)
                inflight[pool.submit(_call, client, job, options)] = worst
            if not inflight:
                break
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for future in done:
                bill.release(inflight.pop(future))
                outcome = future.result()
                fatal = fatal or _record(outcome, store, bill, report)
                on_done(outcome)
    if fatal:
        raise LabelError(fatal)
    return report


def _record(outcome: Outcome, store: Store, bill: Bill, report: SyncReport) -> str | None:
    job = outcome.job
    if outcome.reply is not None:
        r = outcome.reply
        usd = bill.add(r.input_tokens, r.output_tokens, batch=False)
        store.put_result(
            Result(job.key, r.text, r.input_tokens, r.output_tokens, usd, "sync", outcome.request_id, outcome.retries)
        )
        report.answered += 1
        return None
    assert outcome.error is not None
    if not is_api_error(outcome.error):
        raise outcome.error  # a bug, not the API: never stored as a failure to retry
    fatal = fatal_message(outcome.error, job.key.model)
    if fatal is None:
        store.put_failure(job.key, "sync", describe(outcome.error))
        log.warning("request failed after retries (asked again on the next run): %s", describe(outcome.error))
        report.failed += 1
    return fatal
