"""Detection, alignment and the pack's members on one frame: the pipeline's heavy stage."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from ..models import backends
from ..errors import BackendError
from ..faces.detect import RetinaFaceDetector
from ..faces.mediapipe_detect import MediaPipeDetector
from ..faces.state import Scorer, SourceFaces
from ..messages import Frame, FrameResult
from ..models.backends import Backend, BackendOptions
from ..models.ensemble import Ensemble
from ..models.packs import Pack


log = logging.getLogger(__name__)


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
    sources; its methods are called from one thread at a time.
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
        self.score: Scorer = scorer if scorer is not None else self.ensemble.score  # type: ignore[union-attr]
        kind = options.detector or pack.detector.kind
        if kind == "retinaface":
            self.detector: RetinaFaceDetector | MediaPipeDetector = RetinaFaceDetector(_detector_backend(pack, engine_options), config)
        else:
            self.detector = MediaPipeDetector("short" if kind == "mediapipe-short" else "full", options.threads, config.min_face)

    def analyse(self, frame: Frame, faces: SourceFaces) -> list[FrameResult]:
        """Detects, then lets the source's face state track, score and smooth; final results in order."""
        t0 = time.perf_counter()
        detections = self.detector.detect([frame.image])[0]
        stage_ms = {"decode": frame.decode_ms, "detect": (time.perf_counter() - t0) * 1000}
        return faces.step(frame, detections, self.score, stage_ms)

    def close(self) -> None:
        if self.ensemble is not None:
            self.ensemble.close()


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
