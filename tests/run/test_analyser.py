import cv2
import numpy as np

from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.faces.schedule import ScheduleConfig


def test_schedule_carries_scores_and_reset_starts_a_new_source(sample):
    image = cv2.imread(str(sample("multi_face.jpg")))
    analyser = Analyser(load_pack("default"), AnalyserOptions(threads=1, schedule=ScheduleConfig(every=3)))
    first = analyser.analyse(Frame(0, 0.0, 0.0, image, "a"))
    assert len(first.detections) == 5 and all(first.fresh) and sorted(first.track_ids) == [1, 2, 3, 4, 5]
    second = analyser.analyse(Frame(1, 0.0, 0.0, image, "a"))
    assert not any(second.fresh) and second.track_ids == first.track_ids
    for a, b in zip(first.scores, second.scores):
        assert np.array_equal(a.compound, b.compound)  # carried, not recomputed
    assert all(analyser.analyse(Frame(3, 0.0, 0.0, image, "a")).fresh)
    analyser.reset()  # a new source: frame ids restart and no track may carry over
    again = analyser.analyse(Frame(0, 0.0, 0.0, image, "b"))
    assert all(again.fresh) and sorted(again.track_ids) == [1, 2, 3, 4, 5]
    analyser.close()


def test_an_abstaining_member_is_null_in_the_record_and_never_nan():
    import json

    from cer_live.messages import Detection, FaceResult, FaceScores, FrameResult
    from cer_live.sinks.records import face_record

    nan = np.full(7, np.nan, np.float32)
    good = np.eye(7, dtype=np.float32)[2]
    scores = FaceScores(good, None, members=("a", "b"), member_compound=np.stack([nan, good]))
    face = FaceResult(1, Detection((0, 0, 10, 10), 0.9, ((0.0, 0.0),) * 5), scores, scores, True)
    record = face_record(FrameResult(Frame(0, 0.0, 0.0, np.zeros((2, 2, 3), np.uint8), "x"), (face,), {}), face)
    assert record["members"]["a"] is None and record["members"]["b"]["label"] == record["label"]
    json.loads(json.dumps(record, allow_nan=False))
