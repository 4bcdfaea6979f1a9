"""Detection, alignment and the pack's members on one frame: the pipeline's heavy stage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..errors import BackendError
from ..faces.detect import RetinaFaceDetector
from ..faces.detect_schedule import FrameDetections
from ..faces.mediapipe_detect import MediaPipeDetector
from ..faces.state import Scorer, SourceFaces
from ..messages import Detection, FaceScores, Frame, FrameResult
from ..models import backends
from ..models.backends import Backend, BackendOptions
from ..models.ensemble import Ensemble
from ..models.packs import Pack
from .batch_stats import BatchStats

log = logging.getLogger(__name__)
ManyScorer = Callable[
    [list[tuple[np.ndarray, tuple[Detection, ...]]]], tuple[list[tuple[FaceScores, ...]], dict[str, float]]
]


@dataclass(frozen=True)
class AnalyserOptions:
    backend: str = "auto"
    threads: int = 2
    device: str = "cpu"
    det_size: int | None = None  # overrides the pack's detector input long side
    precision: str = "fp32"
    detector: str | None = None  # None: the pack's detector.kind


class Analyser:
    """The pack's models, loaded once and shared by every source of a run.

    It holds no per-source state (that is `SourceFaces`), so one analyser can serve many
    sources; its methods are called from one thread at a time (the batcher's, with many sources).
    """

    def __init__(self, pack: Pack, options: AnalyserOptions, scorer: Scorer | None = None) -> None:
        """`scorer`: where faces are scored instead of a local ensemble (a cluster's shared one)."""
        self.pack = pack
        self.options = options
        engine_options = BackendOptions(threads=options.threads, device=options.device, precision=options.precision)
        config = pack.detector.config
        if options.det_size:
            config = replace(config, input_long_side=options.det_size)
        # Members first: an error about the backend the user chose beats one about the detector's.
        self.ensemble = Ensemble(pack, options.backend, engine_options) if scorer is None else None
        self.score_many: ManyScorer = self.ensemble.score_many if self.ensemble is not None else _one_by_one(scorer)  # type: ignore[arg-type]
        kind = options.detector or pack.detector.kind
        if kind == "retinaface":
            self.detector: RetinaFaceDetector | MediaPipeDetector = RetinaFaceDetector(
                _detector_backend(pack, engine_options), config
            )
        else:
            self.detector = MediaPipeDetector(
                "short" if kind == "mediapipe-short" else "full", options.threads, config.min_face
            )
        # Re-detection in regions around known faces needs a detector that takes any input size.
        self.detects_regions = isinstance(self.detector, RetinaFaceDetector)
        self.batches = BatchStats()  # every call of the run, whichever thread made it
        self.last_batch = (0, 0)  # (frames, faces) of the latest call

    def analyse(self, frame: Frame, faces: SourceFaces) -> list[FrameResult]:
        """Detects, then lets the source's face state track, score and smooth; final results in order."""
        return self.analyse_batch([(frame, faces)])[0]

    def analyse_batch(self, items: list[tuple[Frame, SourceFaces]]) -> list[list[FrameResult]]:
        """Frames of different sources (one each) as one detector batch and one member batch.

        Each source's face state decides which of its faces are due; only those are scored.
        Results per item, in order; the batch sizes go to `self.batches` and `last_batch`."""
        t0 = time.perf_counter()
        found = self._detect(items)
        detect_ms = (time.perf_counter() - t0) * 1000
        pending = [faces.plan(frame, f) for (frame, faces), f in zip(items, found, strict=False)]
        scored, score_ms = self.score_many([(p.frame.image, p.due_detections) for p in pending])
        self.last_batch = (len(items), sum(len(p.due_detections) for p in pending))
        self.batches.add(*self.last_batch)
        return [
            faces.finish(p, fresh, {"decode": frame.decode_ms, "detect": detect_ms, **f.stage_ms, **score_ms})
            for (frame, faces), p, f, fresh in zip(items, pending, found, scored, strict=False)
        ]

    def _detect(self, items: list[tuple[Frame, SourceFaces]]) -> list[FrameDetections]:
        """Whole frames of several sources in one network call where every source detects in
        full; otherwise each source's own schedule picks its calls (regions, scans)."""
        if len(items) > 1 and self.detects_regions and all(f.detection.config.mode == "full" for _, f in items):
            assert isinstance(self.detector, RetinaFaceDetector)
            many = self.detector.detect_many([frame.image for frame, _ in items])
            return [FrameDetections(d, ("full",) * len(d)) for d in many]
        return [faces.detection.detect(frame.image, self.detector) for frame, faces in items]

    def close(self) -> None:
        if self.ensemble is not None:
            self.ensemble.close()


def _one_by_one(scorer: Scorer) -> ManyScorer:
    """A scorer of one image's faces (a cluster's shared ensemble) used for several images."""

    def score_many(
        items: list[tuple[np.ndarray, tuple[Detection, ...]]],
    ) -> tuple[list[tuple[FaceScores, ...]], dict[str, float]]:
        scored: list[tuple[FaceScores, ...]] = []
        timing: dict[str, float] = {}
        for image, detections in items:
            faces, ms = scorer(image, detections) if detections else ((), {})
            scored.append(faces)
            for stage, value in ms.items():
                timing[stage] = timing.get(stage, 0.0) + value
        return scored, timing

    return score_many


def _detector_backend(pack: Pack, engine_options: BackendOptions) -> Backend:
    """The detector takes any frame size, which fixed-profile engines cannot; ONNX Runtime
    (CPU or CUDA) runs it whatever backend the members use, and always in fp32."""
    options = replace(engine_options, precision="fp32")
    try:
        return backends.create("onnxruntime", pack.detector.model, options, label="detector")
    except BackendError as exc:
        if not options.device.startswith("cuda"):
            raise
        # Members on TensorRT or torch need no onnxruntime-gpu; the small detector runs well on the CPU.
        log.warning("detector on the CPU: %s", exc)
        return backends.create("onnxruntime", pack.detector.model, replace(options, device="cpu"), label="detector")
