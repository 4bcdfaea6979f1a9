"""A stream worker: one Ray actor per source, running the single-process pipeline on it.

The controller starts it with `max_restarts=-1` and `max_task_retries=-1`: when it dies (a
kill, a crash, its node gone) Ray starts it again, on another node if need be, and runs its
`run` again, which resumes the source from what its files hold (see resume.py).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from typing import Any

import ray

from .. import PRODUCER
from ..faces.state import SourceFaces
from ..run.build import analyser_for, load_run_pack
from ..run.outputs import open_sinks
from ..run.pipeline import run_source
from ..run.report import SourceReport
from ..run.run import source_header
from ..sinks.base import SinkSet
from ..sinks.faces_csv import ScoreColumns
from ..sources.base import FrameSource
from . import resume
from .jobs import SourceJob
from .resumed_source import ResumedSource
from .scorer import RemoteScorer

log = logging.getLogger(__name__)


class StreamWorker:
    """`run` blocks until the source ends; `stop` and `frames` answer meanwhile (two threads)."""

    def __init__(self, job: SourceJob) -> None:
        self.job = job
        self._stop = threading.Event()
        self._frames = 0

    def node(self) -> str:
        return ray.get_runtime_context().get_node_id()

    def stop(self) -> None:
        self._stop.set()

    def frames(self) -> int:
        return self._frames

    def run(self) -> tuple[SourceReport, dict[str, Any]]:
        """The source's report and the settings its outputs record."""
        job, c = self.job, self.job.config
        pack = load_run_pack(c, warn=False)
        point = resume.find(job.plan.files(job.stem), job.run_id)
        source: FrameSource = job.source.open()
        if point is not None:
            source = ResumedSource(source, point)
        scorer = RemoteScorer(pack)
        try:
            analyser = analyser_for(c, pack, scorer)
        except BaseException:
            source.close()
            raise
        face_options = c.faces_for(analyser.detects_regions)
        settings = c.settings(
            pack.name, analyser.detector.config.input_long_side, pack.fusion, face_options.detect.mode
        )
        header = {
            **source_header(pack, source, settings, job.started, job.source, analyser.detector_identity),
            "run_id": job.run_id,
        }
        plan = replace(job.plan, video=False) if point is not None else job.plan
        basic = ScoreColumns.of(pack.members)
        sinks = SinkSet(
            open_sinks(plan, job.stem, source, header, f"{PRODUCER} | pack {pack.name}", basic, point is not None)
        )
        lost = _log_restart(sinks, job, source)
        faces = SourceFaces(face_options, look_ahead=not source.live, independent=source.independent)
        report = run_source(analyser, source, faces, sinks, self._count, job.source.policy, self._stop.is_set)
        analyser.close()
        report.images = job.source.image_mode
        report.faults = _faults(point, lost, scorer, self.node())
        if point is not None:
            _recount(report, job)
        return report, settings

    def _count(self, frames: int) -> None:
        self._frames = frames


def _log_restart(sinks: SinkSet, job: SourceJob, source: FrameSource) -> int:
    """The gap, in the JSONL where it happened, as a status record; the frames lost in it."""
    if not isinstance(source, ResumedSource):
        return 0
    lost = source.lost()
    sinks.event(
        {
            "type": "status",
            "event": resume.RESTART_EVENT,
            "source": source.label,
            "resumed_at_frame": source.point.frame,
            "lost_frames": lost,
        }
    )
    log.warning(
        "'%s' resumed at frame %d after a worker restart (%d frame(s) lost)", job.stem, source.point.frame, lost
    )
    return lost


def _faults(point: resume.ResumePoint | None, lost: int, scorer: RemoteScorer, node: str) -> dict[str, Any]:
    """What the cluster did to this source: restarts, frames lost in the gaps, retried calls, where it ran."""
    faults: dict[str, Any] = {"node": node, "restarts": 0, "lost_frames": 0, "ensemble_retries": scorer.retries}
    if point is not None:
        faults.update(restarts=point.restarts + 1, lost_frames=point.lost_before + lost, resumed_at_frame=point.frame)
    return faults


def _recount(report: SourceReport, job: SourceJob) -> None:
    """After a restart the counts cover the whole source, as read back from its JSONL."""
    lines = job.plan.files(job.stem)["jsonl"].read_text(encoding="utf-8").splitlines()[1:]
    records = [json.loads(line) for line in lines]
    frames: dict[int, list[dict[str, Any]]] = {}
    for r in records:
        if "frame" in r:
            frames.setdefault(r["frame"], []).append(r)
    report.frames = len(frames)
    faces = [r for r in records if r.get("type") == "face"]
    report.face_rows = len(faces)
    report.fallback_rows = sum(bool(r.get("fallback")) for r in faces)
    report.frames_with_face = sum(
        any(r.get("type") == "face" and not r.get("fallback") for r in rs) for rs in frames.values()
    )
