"""Detection, alignment and the pack's members on one frame: the pipeline's heavy stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from . import backends
from .backends import BackendOptions
from .detect import RetinaFaceDetector
from .ensemble import Ensemble
from .messages import Analysed, Frame
from .packs import Pack
from .track import protagonist_index


@dataclass(frozen=True)
class AnalyserOptions:
    backend: str = "auto"
    threads: int = 2
    device: str = "cpu"
    det_size: int | None = None  # overrides the pack's detector input long side
    protagonist_only: bool = False  # keep only the largest face, before inference (the paper's rule)


class Analyser:
    """Loads the pack's models once; `analyse` is called from one thread at a time."""

    def __init__(self, pack: Pack, options: AnalyserOptions) -> None:
        self.pack = pack
        self.options = options
        engine_options = BackendOptions(threads=options.threads, device=options.device)
        config = pack.detector.config
        if options.det_size:
            config = replace(config, input_long_side=options.det_size)
        detector_backend = backends.create(options.backend, pack.detector.model, engine_options, label="detector")
        self.detector = RetinaFaceDetector(detector_backend, config)
        self.ensemble = Ensemble(pack, options.backend, engine_options)

    def analyse(self, frame: Frame) -> Analysed:
        t0 = time.perf_counter()
        detections = self.detector.detect([frame.image])[0]
        if self.options.protagonist_only and len(detections) > 1:
            detections = (detections[protagonist_index(detections)],)
        t1 = time.perf_counter()
        scores, stage = self.ensemble.score(frame.image, detections)
        stage_ms = {"decode": frame.decode_ms, "detect": (t1 - t0) * 1000, **stage}
        return Analysed(frame=frame, detections=detections, scores=scores, stage_ms=stage_ms)

    def close(self) -> None:
        self.ensemble.close()
