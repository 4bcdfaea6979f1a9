"""Cross-stream batching on real frames and the real default pack: one call gives what many did."""

import cv2
import numpy as np

from cer_live.faces.state import FaceOptions, SourceFaces
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions


def _analyser() -> Analyser:
    return Analyser(load_pack("default"), AnalyserOptions(threads=1))


def _box_error(a, b) -> float:
    return float(np.abs(np.subtract(a.box, b.box)).max())


def test_frames_of_different_sizes_share_one_detector_batch(sample):
    analyser = _analyser()
    group = cv2.imread(str(sample("multi_face.jpg")))
    single = cv2.imread(str(sample("single_face.jpg")))
    small = cv2.resize(group, (group.shape[1] // 2, group.shape[0] // 2), interpolation=cv2.INTER_AREA)
    images = [group, single, small]
    assert len({image.shape for image in images}) == 3
    batched = analyser.detector.detect_many(images)
    alone = [analyser.detector.detect([image])[0] for image in images]
    for image, got, want in zip(images, batched, alone, strict=False):
        assert len(got) == len(want) > 0
        scale = max(image.shape[:2]) / analyser.detector.config.input_long_side
        for a, b in zip(sorted(got, key=lambda d: d.box), sorted(want, key=lambda d: d.box), strict=False):
            assert _box_error(a, b) <= 2.0 * max(scale, 1.0)  # boxes land back on each frame
            assert a.box[2] <= image.shape[1] and a.box[3] <= image.shape[0]
    analyser.close()


def test_every_face_of_every_frame_goes_through_the_members_once(sample):
    analyser = _analyser()
    group = cv2.imread(str(sample("multi_face.jpg")))
    single = cv2.imread(str(sample("single_face.jpg")))
    items = [(image, analyser.detector.detect([image])[0]) for image in (group, single, single)]
    items.insert(1, (single, ()))  # a frame with no face in the middle of the batch
    scored, timing = analyser.ensemble.score_many(items)
    assert [len(s) for s in scored] == [len(d) for _, d in items] and timing["infer"] > 0
    for (image, detections), got in zip(items, scored, strict=False):
        want, _ = analyser.ensemble.score(image, detections)
        for a, b in zip(got, want, strict=False):
            np.testing.assert_allclose(a.compound, b.compound, atol=1e-5)
            np.testing.assert_allclose(a.basic, b.basic, atol=1e-5)
    analyser.close()


def test_a_batch_of_sources_equals_each_source_alone_and_is_counted(sample):
    analyser = _analyser()
    images = [cv2.imread(str(sample(name))) for name in ("multi_face.jpg", "single_face.jpg")]
    states = [SourceFaces(FaceOptions(), look_ahead=False) for _ in images]
    together = analyser.analyse_batch(
        [
            (Frame(0, 0.0, 0.0, image, f"s{i}/1.jpg"), s)
            for i, (image, s) in enumerate(zip(images, states, strict=False))
        ]
    )
    assert analyser.last_batch == (2, 6)  # two frames, five faces and one
    for i, image in enumerate(images):
        [alone] = analyser.analyse(
            Frame(0, 0.0, 0.0, image, f"s{i}/1.jpg"), SourceFaces(FaceOptions(), look_ahead=False)
        )
        [got] = together[i]
        assert [f.track_id for f in got.faces] == [f.track_id for f in alone.faces]
        for a, b in zip(got.faces, alone.faces, strict=False):
            np.testing.assert_allclose(
                a.smoothed.compound, b.smoothed.compound, atol=0.02
            )  # letterboxed: boxes move by a pixel
            assert a.smoothed.top[0] == b.smoothed.top[0]
    stats = analyser.batches.summary()
    assert stats["detector"]["sizes"] == {"1": 2, "2": 1} and stats["members"]["max"] == 6
    analyser.close()
