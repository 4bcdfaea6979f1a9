"""In `--detect auto`, one detector call serves every source that is due for it, as in `full`."""

from __future__ import annotations

import cv2

from cer_live.faces.state import SourceFaces
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.run.config import RunConfig

FRAMES = 30


class _Counting:
    """The analyser's own detector, with its network calls counted (each call is one inference)."""

    def __init__(self, detector) -> None:
        self._detector, self.calls = detector, 0

    def __getattr__(self, name):
        return getattr(self._detector, name)

    def detect(self, images, long_side=None):
        self.calls += 1
        return self._detector.detect(images, long_side)

    def detect_many(self, images):
        self.calls += 1
        return self._detector.detect_many(images)


def _frames(video) -> list:
    cap = cv2.VideoCapture(str(video))
    images = [cap.read()[1] for _ in range(FRAMES)]
    cap.release()
    return images


def _run(analyser: Analyser, images: list, sources: int, mode: str) -> tuple[int, list[list[tuple]]]:
    """Detector calls for `sources` sources in step over the frames, and each source's labels per frame."""
    options = RunConfig(("x",), detect=mode).faces_for(True)
    faces = [SourceFaces(options, look_ahead=True) for _ in range(sources)]
    counting = analyser.detector = _Counting(analyser.detector)
    labels: list[list[tuple]] = [[] for _ in range(sources)]
    try:
        for i, image in enumerate(images):
            frame = Frame(i, 0.0, i / 24, image, f"clip/{i + 1:05d}.jpg")
            for s, results in enumerate(analyser.analyse_batch([(frame, f) for f in faces])):
                labels[s].extend((r.frame.frame_id, [(f.det, f.detection.box) for f in r.faces]) for r in results)
    finally:
        analyser.detector = counting._detector
    return counting.calls, labels


def test_four_sources_in_auto_share_each_detector_call_and_get_their_own_faces(sample):
    analyser = Analyser(load_pack("default"), AnalyserOptions(threads=1))
    images = _frames(sample("WolfgangLanger_Pexels.mp4"))
    one_calls, (one,) = _run(analyser, images, 1, "auto")
    four_calls, four = _run(analyser, images, 4, "auto")
    full_calls, _ = _run(analyser, images, 4, "full")
    analyser.close()
    kinds = {det for _, faces in one for det, _ in faces}
    assert {"full", "region"} <= kinds  # the schedule did re-detect in regions
    assert one_calls > FRAMES  # regions and cheap scans: more than one call on some frames
    assert four_calls == one_calls, (one_calls, four_calls)  # four sources, the calls of one
    assert full_calls == FRAMES
    for labels in four:
        assert [f for f, _ in labels] == [f for f, _ in one]
        for (_, got), (_, want) in zip(labels, one, strict=True):
            assert [d for d, _ in got] == [d for d, _ in want]
            for (_, a), (_, b) in zip(got, want, strict=True):
                assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 0.5
