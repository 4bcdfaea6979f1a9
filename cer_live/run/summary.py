"""What a whole run returns: every source's report, how it ended, and the exit code it implies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import PRODUCER
from ..errors import CerLiveError
from .report import SourceReport

EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class RunSummary:
    started: str
    wall_s: float
    interrupted: bool
    settings: dict[str, Any]
    sources: tuple[SourceReport, ...]
    out_dir: Path | None
    batching: dict[str, Any] | None = None  # every detector and member call of the run, by batch size

    @property
    def errors(self) -> list[str]:
        """Bad input found mid-run, or an output that could not be written: one line each."""
        return [r.error for r in self.sources if r.error]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.errors:
            return CerLiveError.exit_code
        return 1 if any(r.sink_failures for r in self.sources) else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "producer": PRODUCER,
            "started": self.started,
            "wall_s": round(self.wall_s, 3),
            "interrupted": self.interrupted,
            "settings": self.settings,
            "sources": [r.as_dict() for r in self.sources],
            "batching": self.batching,
        }
