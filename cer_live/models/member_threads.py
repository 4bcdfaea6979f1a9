"""How a pack's members share the CPU threads: one after another, or side by side.

At batch 1 (one face), a member's second intra-op thread waits for much of the call:
ONNX Runtime splits little of a small convolution, and INT8's quantize, transpose and
concatenation steps not at all. Two members at once, on one thread each, keep both cores
busy instead (ONNX Runtime releases the GIL while a session runs): the five-CNN ensemble's
members took 73 ms side by side against 108 ms one after another in INT8, and 189 against
212 ms in fp32. Measured in docs/int8.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from .backends.base import BackendOptions

T = TypeVar("T")


@dataclass(frozen=True)
class MemberThreads:
    """`workers` members run at once, each session with `intra_op` threads."""

    workers: int
    intra_op: int

    @property
    def side_by_side(self) -> bool:
        return self.workers > 1

    def as_dict(self) -> dict[str, int]:
        """What the outputs record."""
        return {"members_at_once": self.workers, "threads_per_member": self.intra_op}


def plan(members: int, backend: str, options: BackendOptions) -> MemberThreads:
    """Side by side on the CPU's ONNX Runtime when there are threads to share; else one after
    another, each with all the threads (a GPU, or torch, which runs its own thread pool)."""
    threads = max(1, options.threads)
    cpu_ort = not options.device.startswith("cuda") and backend in ("auto", "onnxruntime", "ort")
    if not (cpu_ort and members > 1 and threads > 1):
        return MemberThreads(1, threads)
    workers = min(threads, members)
    return MemberThreads(workers, max(1, threads // workers))


class MemberRunner:
    """Calls jobs one by one, or on a small pool, longest first (by each job's last time) so
    that the slow members do not end up last on one thread."""

    def __init__(self, threads: MemberThreads) -> None:
        self.threads = threads
        self._pool = ThreadPoolExecutor(threads.workers, "cer-member") if threads.side_by_side else None
        self._last_s: dict[int, float] = {}

    def map(self, jobs: Sequence[tuple[int, Callable[[], T]]]) -> dict[int, T]:
        """key -> result of each (key, job)."""
        if self._pool is None:
            return {key: job() for key, job in jobs}
        ordered = sorted(jobs, key=lambda kj: -self._last_s.get(kj[0], 0.0))
        futures = {key: self._pool.submit(self._timed, key, job) for key, job in ordered}
        return {key: future.result() for key, future in futures.items()}

    def _timed(self, key: int, job: Callable[[], T]) -> T:
        t0 = time.perf_counter()
        result = job()
        self._last_s[key] = time.perf_counter() - t0
        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
