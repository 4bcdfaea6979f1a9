"""What the driver hands a stream worker: one source, where its outputs go, how to analyse it."""

from __future__ import annotations

from dataclasses import dataclass

from ..run.config import RunConfig
from ..run.outputs import OutputPlan
from ..run.plan import SourceSpec


@dataclass(frozen=True)
class SourceJob:
    run_id: str  # written in the JSONL header, so that a restarted worker knows its own file
    started: str  # the run's start, ISO 8601 UTC, as in a single-process header
    config: RunConfig
    source: SourceSpec  # as the driver planned it; the worker opens it on its own node
    stem: str  # its output name
    plan: OutputPlan

    @property
    def worker_name(self) -> str:
        return f"worker/{self.stem}"


@dataclass(frozen=True)
class Placement:
    """Where a source runs now; `node` is a Ray node id."""

    stem: str
    worker: str
    node: str | None
