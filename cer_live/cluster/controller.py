"""The controller: a named actor that holds the sources and which worker (and node) serves each.

Adding a source starts its worker at once, so sources can join a running cluster. Workers get a
soft node affinity: they start where placement says, and if that node leaves, Ray restarts
them on another (they resume their sources from their files).
"""

from __future__ import annotations

import logging
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from ..run.report import SourceReport
from . import NAMESPACE
from .jobs import Placement, SourceJob
from .placement import alive_nodes, least_loaded
from .worker import StreamWorker

log = logging.getLogger(__name__)
NAME = "controller"
_ASK_S = 2.0  # how long a question to a worker may take before its answer counts as unknown


class Controller:
    def __init__(self, worker_cpus: float = 0.0) -> None:
        self.worker_cpus = worker_cpus
        self.jobs: dict[str, SourceJob] = {}
        self.workers: dict[str, Any] = {}
        self.placed: dict[str, str | None] = {}
        self.results: dict[str, Any] = {}

    def add(self, job: SourceJob) -> Placement:
        """Starts the source's worker on the least loaded live node; returns where it went."""
        node = least_loaded(alive_nodes(ray.nodes()), list(self.placed.values()))
        worker = (
            ray.remote(StreamWorker)
            .options(
                name=job.worker_name,
                namespace=NAMESPACE,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=True),
                max_restarts=-1,
                max_task_retries=-1,
                max_concurrency=3,  # run, and the stop / progress questions beside it
                num_cpus=self.worker_cpus,
            )
            .remote(job)
        )
        self.jobs[job.stem], self.workers[job.stem], self.placed[job.stem] = job, worker, node
        self.results[job.stem] = worker.run.remote()
        log.info("source '%s' placed on node %s", job.stem, node[:12])
        return Placement(job.stem, job.worker_name, node)

    def placement(self) -> list[Placement]:
        """Where each source runs now (after restarts too); node None while its worker restarts."""
        out = []
        for stem, worker in self.workers.items():
            try:
                node = ray.get(worker.node.remote(), timeout=_ASK_S)
            except (ray.exceptions.RayError, TimeoutError):
                node = None
            self.placed[stem] = node or self.placed[stem]
            out.append(Placement(stem, self.jobs[stem].worker_name, node))
        return out

    def progress(self) -> dict[str, int]:
        """Frames written per source, as far as each worker answers in time."""
        refs = {stem: w.frames.remote() for stem, w in self.workers.items()}
        out = {}
        for stem, ref in refs.items():
            try:
                out[stem] = ray.get(ref, timeout=_ASK_S)
            except (ray.exceptions.RayError, TimeoutError):
                continue
        return out

    def result(self, stem: str) -> tuple[SourceReport, dict[str, Any]]:
        """Blocks until the source's worker returns its report (across its restarts)."""
        return ray.get(self.results[stem])

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.stop.remote()

    def shutdown(self) -> None:
        """Ends every worker for good (no restart)."""
        for worker in self.workers.values():
            ray.kill(worker, no_restart=True)
