"""How a pack's members share the CPU threads: one after another, or side by side.

At batch 1, ONNX Runtime's INT8 kernels gain little from a second intra-op thread, while
two members running at once on one thread each keep both cores busy (ONNX Runtime releases
the GIL while a session runs). fp32 kernels use both threads well, and there side by side
gains nothing. Measured in docs/int8.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from .backends.base import BackendOptions, resolve_precision

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


def plan(members: int, all_int8: bool, backend: str, options: BackendOptions) -> MemberThreads:
    """Side by side for INT8 members on the CPU's ONNX Runtime when there are threads to share;
    else one after another, each with all the threads."""
    threads = max(1, options.threads)
    int8 = resolve_precision(options, has_int8=all_int8) == "int8"
    cpu_ort = not options.device.startswith("cuda") and backend in ("auto", "onnxruntime", "ort")
    if not (int8 and cpu_ort and members > 1 and threads > 1):
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
