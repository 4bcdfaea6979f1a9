"""The one place the benchmark imports the runtime: every timed component comes from here.

When the runtime's modules move, only the imports in this file change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..faces.align import align
from ..faces.detect import RetinaFaceDetector
from ..faces.detect_schedule import FrameDetections
from ..faces.smooth import SmoothingConfig
from ..faces.state import FaceOptions, SourceFaces
from ..messages import Detection, FaceScores, Frame, FrameResult, StatusEvent
from ..models import backends
from ..models.backends import BackendOptions
from ..models.ensemble import Ensemble, Member
from ..models.fusion import fuse
from ..models.packs import Pack, load_pack
from ..models.preprocess import to_tensor
from ..run.analyser import Analyser
from ..run.build import analyser_for
from ..run.config import RunConfig
from ..run.outputs import OutputPlan, open_sinks, prepare_out_dir, write_json
from ..run.pipeline import run_source
from ..sinks.base import SinkSet
from ..sinks.draw import draw
from ..sinks.video import AnnotatedVideoSink
from ..sources.stream import StreamOptions, StreamSource
from ..sources.video_file import VideoFileSource

# What `cer-live run` uses unless told otherwise, so that the bench times the default path.
DEFAULT_SMOOTH = RunConfig.smooth
DEFAULT_FALLBACK_AGE = RunConfig.fallback_age
WATERMARK = "cer-live bench"

__all__ = [
    "Analyser",
    "AnnotatedVideoSink",
    "BackendOptions",
    "Detection",
    "Ensemble",
    "Frame",
    "FrameResult",
    "Member",
    "Pack",
    "SinkSet",
    "SourceFaces",
    "VideoFileSource",
    "align",
    "backends",
    "draw",
    "fuse",
    "load_pack",
    "prepare_out_dir",
    "to_tensor",
    "write_json",
]


def make_analyser(pack: Pack, threads: int, det_size: int | None, backend: str = "auto") -> Analyser:
    """The analyser `cer-live run` builds for these settings (the rest at their defaults)."""
    config = RunConfig(("bench",), pack=pack.name, threads=threads, det_size=det_size, backend=backend)
    return analyser_for(config, pack)


def det_input_size(analyser: Analyser, height: int, width: int) -> tuple[int, int]:
    """(height, width) the pipeline's detector feeds its network for a frame of this size."""
    return analyser.detector.input_size(height, width)


def detect(analyser: Analyser, image: np.ndarray) -> tuple[Detection, ...]:
    return analyser.detector.detect([image])[0]


def detect_all(pack: Pack, image: np.ndarray) -> tuple[Detection, ...]:
    """Faces at the image's own size (no downscaling): for cutting faces out of stills."""
    engine = backends.create("onnxruntime", pack.detector.model, BackendOptions(threads=2), label="detector")
    try:
        config = replace(pack.detector.config, input_long_side=max(image.shape[:2]))
        return RetinaFaceDetector(engine, config).detect([image])[0]
    finally:
        engine.close()


def preprocess_groups(ensemble: Ensemble) -> list[list[int]]:
    """Member indices that share one crop and tensor, as Ensemble.score groups them."""
    return list(ensemble.preprocessor.groups.values())


def member_tensor(member: Member, image: np.ndarray, detections: tuple[Detection, ...]) -> np.ndarray:
    spec = member.spec
    return to_tensor(align(image, detections, spec.template, spec.size), spec.colour, spec.mean, spec.std)


def source_faces(tracking: bool = True, look_ahead: bool = False) -> SourceFaces:
    """A source's face state as `cer-live run` makes it; tracking off also turns smoothing and the fallback off."""
    if tracking:
        return SourceFaces(
            FaceOptions(smoothing=SmoothingConfig.parse(DEFAULT_SMOOTH), fallback_age=DEFAULT_FALLBACK_AGE), look_ahead
        )
    # Every frame on its own, as independent pictures are: new tracks each frame, nothing carried.
    return SourceFaces(
        FaceOptions(smoothing=SmoothingConfig.parse("none"), fallback_age=0), look_ahead, independent=True
    )


def step(
    faces: SourceFaces, frame: Frame, detections: tuple[Detection, ...], scores: tuple[FaceScores, ...]
) -> list[FrameResult]:
    """Tracks and smooths one frame whose faces were scored already (every face is due at --every 1)."""
    found = FrameDetections(detections, ("full",) * len(detections))
    return faces.step(frame, found, lambda image, due: (scores, {}), {})


class FirstFrames:
    """A source cut to its first `limit` frames (status events pass through); 0 = no limit."""

    def __init__(self, inner: Any, limit: int) -> None:
        self._inner = inner
        self._limit = limit
        self.name, self.label, self.live, self.fps = inner.name, inner.label, inner.live, inner.fps
        self.files, self.independent = inner.files, inner.independent
        expected = inner.expected_frames
        self.expected_frames = min(expected, limit) if expected and limit else (limit or expected)

    def frames(self) -> Iterator[Frame | StatusEvent]:
        count = 0
        for item in self._inner.frames():
            yield item
            if isinstance(item, Frame):
                count += 1
                if self._limit and count >= self._limit:
                    return

    def stop(self) -> None:
        self._inner.stop()

    def warnings(self) -> list[str]:
        return self._inner.warnings()

    def close(self) -> None:
        self._inner.close()


def open_file(path: Path, limit: int = 0) -> FirstFrames:
    return FirstFrames(VideoFileSource(path), limit)


def open_stream(url: str, limit: int, timeout_s: float = 10.0) -> FirstFrames:
    return FirstFrames(StreamSource(url, StreamOptions("tcp", timeout_s, timeout_s, 0)), limit)


def run_pipeline(
    analyser: Analyser, source: FirstFrames, out_dir: Path | None, tracking: bool = True
) -> dict[str, Any]:
    """The threaded pipeline as `cer-live run` assembles it; the source's summary record.

    With an out_dir the run writes what `cer-live run` writes (JSONL, CSV, annotated MP4);
    `tracking=False` also turns smoothing and the nearest-frame fallback off.
    """
    faces = source_faces(tracking, look_ahead=not source.live)
    header = {"producer": WATERMARK, "source": source.label, "name": source.name}
    sinks = SinkSet([])
    if out_dir is not None:
        sinks = SinkSet(open_sinks(OutputPlan(out_dir, (source.name,), True), source.name, source, header, WATERMARK))
    return run_source(analyser, source, faces, sinks).as_dict()


def video_sink(path: Path, fps: float) -> AnnotatedVideoSink:
    return AnnotatedVideoSink(path, fps, WATERMARK)
