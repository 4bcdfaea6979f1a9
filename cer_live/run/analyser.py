"""Detection, alignment and the pack's members on one frame: the pipeline's heavy stage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..faces.detect_schedule import FrameDetections
from ..faces.detectors import DetectorNeeds, FaceDetector, identity, make_detector
from ..faces.state import Pending, Scorer, SourceFaces
from ..messages import Detection, FaceScores, Frame, FrameResult, timings
from ..models.backends import BackendOptions
from ..models.ensemble import Ensemble
from ..models.packs import Pack
from .batch_stats import BatchStats
from .detect_calls import serve_requests

log = logging.getLogger(__name__)
ManyScorer = Callable[
    [list[tuple[np.ndarray, tuple[Detection, ...]]]], tuple[list[tuple[FaceScores, ...]], dict[str, float]]
]


@dataclass(frozen=True)
class Prepared:
    """Frames between detection and scoring (one per source): their tracked faces, and which
    are due. Made by `prepare` on one thread, taken by `complete` on another."""

    items: tuple[tuple[Frame, SourceFaces], ...]
    found: tuple[FrameDetections, ...]
    pending: tuple[Pending, ...]
    detect_ms: float


@dataclass(frozen=True)
class AnalyserOptions:
    backend: str = "auto"
    threads: int = 2
    device: str = "cpu"
    det_size: int | None = None  # overrides the pack's detector input long side
    precision: str = "auto"  # as RunConfig's: fp16 on CUDA where a member has it, else fp32
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
        needs = DetectorNeeds(pack, config, engine_options, options.threads)
        self.detector: FaceDetector = make_detector(options.detector or pack.detector.kind, needs)
        # Re-detection in regions around known faces needs a detector that takes any input size.
        self.detects_regions = self.detector.capabilities.regions
        self.detector_calls = 0  # network calls made, over the run
        self.batches = BatchStats()  # every call of the run, whichever thread made it
        self.last_batch = (0, 0)  # (frames, faces) of the latest call

    def analyse(self, frame: Frame, faces: SourceFaces) -> list[FrameResult]:
        """Detects, then lets the source's face state track, score and smooth; final results in order."""
        return self.analyse_batch([(frame, faces)])[0]

    def analyse_batch(self, items: list[tuple[Frame, SourceFaces]]) -> list[list[FrameResult]]:
        """Frames of different sources (one each) as one detector batch and one member batch.

        Each source's face state decides which of its faces are due; only those are scored.
        Results per item, in order; the batch sizes go to `self.batches` and `last_batch`."""
        return self.complete(self.prepare(items))

    def prepare(self, items: list[tuple[Frame, SourceFaces]]) -> Prepared:
        """Detection and tracking: the first half of `analyse_batch`, which may run on its own
        thread, one batch ahead of `complete` (the detector and the members then run at once)."""
        t0 = time.perf_counter()
        found = self._detect(items)
        detect_ms = (time.perf_counter() - t0) * 1000
        pending = tuple(faces.plan(frame, f) for (frame, faces), f in zip(items, found, strict=False))
        return Prepared(tuple(items), tuple(found), pending, detect_ms)

    def complete(self, prepared: Prepared) -> list[list[FrameResult]]:
        """Scoring, smoothing and the results: the second half of `analyse_batch`, in batch order."""
        pending = prepared.pending
        scored, score_ms = self.score_many([(p.frame.image, p.due_detections) for p in pending])
        self.last_batch = (len(pending), sum(len(p.due_detections) for p in pending))
        self.batches.add(*self.last_batch)
        return [
            faces.finish(
                p, fresh, timings({"decode": frame.decode_ms, "detect": prepared.detect_ms}, f.stage_ms, score_ms)
            )
            for (frame, faces), p, f, fresh in zip(prepared.items, pending, prepared.found, scored, strict=False)
        ]

    def _detect(self, items: list[tuple[Frame, SourceFaces]]) -> list[FrameDetections]:
        """Every source's schedule asks for the calls its frame needs (the whole frame, regions
        around known faces, a cheap scan); each round, the calls of every source that can share
        one are made as one network call, so that sources in step cost one call, not one each."""
        mean = self.detector.mean_bgr
        done: list[FrameDetections | None] = [faces.detection.begin(frame.image, mean) for frame, faces in items]
        while True:
            asking = [
                (i, r) for i, (_, faces) in enumerate(items) if done[i] is None for r in faces.detection.requests()
            ]
            if not asking:
                break
            answers, calls = serve_requests(self.detector, [r for _, r in asking])
            self.detector_calls += calls
            for (i, _), (found, ms) in zip(asking, answers, strict=True):
                done[i] = items[i][1].detection.absorb(found, ms)
        return [d for d in done if d is not None]

    @property
    def detector_identity(self) -> dict[str, object]:
        """The front end that ran and its models' hashes, for the outputs' headers."""
        return identity(self.detector)

    @property
    def member_identity(self) -> list[dict[str, str]] | None:
        """The members as they ran here; None when a cluster's shared ensemble scores the faces."""
        return self.ensemble.identity if self.ensemble is not None else None

    @property
    def member_threads(self) -> dict[str, int] | None:
        """How the members shared the threads here; None when a cluster's shared ensemble scores."""
        return self.ensemble.threads.as_dict() if self.ensemble is not None else None

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
