"""Detection, alignment and the pack's members on one frame: the pipeline's heavy stage."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

from ..models import backends
from ..models.backends import BackendOptions
from ..faces.detect import RetinaFaceDetector
from ..models.ensemble import Ensemble
from ..errors import BackendError
from ..messages import Analysed, Frame
from ..models.packs import Pack
from ..faces.schedule import ScheduleConfig, Scheduler
from ..faces.track import IoUTracker, protagonist_index


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalyserOptions:
    backend: str = "auto"
    threads: int = 2
    device: str = "cpu"
    det_size: int | None = None  # overrides the pack's detector input long side
    protagonist_only: bool = False  # keep only the largest face, before inference (the paper's rule)
    precision: str = "fp32"
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)


class Analyser:
    """Loads the pack's models once; `analyse` is called from one thread at a time."""

    def __init__(self, pack: Pack, options: AnalyserOptions) -> None:
        self.pack = pack
        self.options = options
        engine_options = BackendOptions(threads=options.threads, device=options.device, precision=options.precision)
        config = pack.detector.config
        if options.det_size:
            config = replace(config, input_long_side=options.det_size)
        # Members first: an error about the backend the user chose beats one about the detector's.
        self.ensemble = Ensemble(pack, options.backend, engine_options)
        # The detector takes any frame size, which fixed-profile engines cannot; ONNX Runtime
        # (CPU or CUDA) runs it whatever backend the members use, and always in fp32.
        detector_options = replace(engine_options, precision="fp32")
        try:
            detector_backend = backends.create("onnxruntime", pack.detector.model, detector_options, label="detector")
        except BackendError as exc:
            if not options.device.startswith("cuda"):
                raise
            # Members on TensorRT or torch need no onnxruntime-gpu; the small detector runs well on the CPU.
            log.warning("detector on the CPU: %s", exc)
            cpu = replace(detector_options, device="cpu")
            detector_backend = backends.create("onnxruntime", pack.detector.model, cpu, label="detector")
        self.detector = RetinaFaceDetector(detector_backend, config)
        # Tracks are assigned here, in frame order, so that the schedule can follow them.
        self.reset()

    def reset(self) -> None:
        """Forget tracks and carried scores: called before each new source."""
        self.tracker = IoUTracker()
        self.scheduler = Scheduler(self.options.schedule)

    def analyse(self, frame: Frame) -> Analysed:
        t0 = time.perf_counter()
        detections = self.detector.detect([frame.image])[0]
        if self.options.protagonist_only and len(detections) > 1:
            detections = (detections[protagonist_index(detections)],)
        ids, ended = self.tracker.update(detections)
        self.scheduler.forget(tuple(ended))
        t1 = time.perf_counter()
        due = self.scheduler.due(frame.frame_id, tuple(ids), detections)
        fresh_scores, stage = self.ensemble.score(frame.image, tuple(d for d, run in zip(detections, due) if run))
        it = iter(fresh_scores)
        scores = []
        for tid, det, run in zip(ids, detections, due):
            face = next(it) if run else self.scheduler.carried(tid)
            if run:
                self.scheduler.remember(frame.frame_id, tid, det, face)
            scores.append(face)
        stage_ms = {"decode": frame.decode_ms, "detect": (t1 - t0) * 1000, **stage}
        return Analysed(
            frame=frame,
            detections=detections,
            scores=tuple(scores),
            stage_ms=stage_ms,
            track_ids=tuple(ids),
            ended_tracks=tuple(ended),
            fresh=tuple(due),
        )

    def close(self) -> None:
        self.ensemble.close()
