"""What a run says about one source when it ends: counts, timings, events, outputs, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SourceReport:
    name: str
    label: str
    frames: int = 0
    frames_with_face: int = 0
    face_rows: int = 0
    fallback_rows: int = 0
    det_rows: dict[str, int] = field(
        default_factory=dict
    )  # face rows per detection kind (full, region, scan_low, predicted)
    dropped: int = 0
    wall_s: float = 0.0
    interrupted: bool = False
    policy: str = "all"
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # bad input found mid-stream (a truncated file); outputs stay valid
    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    sink_failures: dict[str, str] = field(default_factory=dict)
    images: str | None = None  # images read as a 'sequence' or 'independent' pictures; None for video
    batches: dict[str, Any] = field(default_factory=dict)  # detector/member batch sizes its frames rode in
    faults: dict[str, Any] = field(default_factory=dict)  # on a cluster: restarts, frames lost, retries, node

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.label,
            "frames": self.frames,
            "frames_with_face": self.frames_with_face,
            "face_rows": self.face_rows,
            "fallback_rows": self.fallback_rows,
            "det_rows": self.det_rows,
            "frame_policy": self.policy,
            "dropped_frames": self.dropped,
            "status_events": self.events,
            "wall_s": round(self.wall_s, 3),
            "fps": round(self.fps, 2),
            "interrupted": self.interrupted,
            "error": self.error,
            "latency_ms": self.stages,
            "warnings": self.warnings,
            "outputs": self.outputs,
            "sink_failures": self.sink_failures,
            **({"images": self.images} if self.images else {}),
            "batches": self.batches,
            **({"faults": self.faults} if self.faults else {}),
        }
