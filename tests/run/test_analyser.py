import cv2
import numpy as np

from cer_live.faces.schedule import ScheduleConfig
from cer_live.faces.state import FaceOptions, SourceFaces
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions


def test_schedule_carries_scores_and_a_new_source_starts_afresh(sample):
    image = cv2.imread(str(sample("multi_face.jpg")))
    analyser = Analyser(load_pack("default"), AnalyserOptions(threads=1))
    options = FaceOptions(schedule=ScheduleConfig(every=3))
    faces = SourceFaces(options, look_ahead=False)

    def analyse(frame_id: int, name: str, state: SourceFaces):
        [result] = analyser.analyse(Frame(frame_id, 0.0, 0.0, image, name), state)
        return result.faces

    first = analyse(0, "a", faces)
    assert len(first) == 5 and all(f.fresh for f in first) and sorted(f.track_id for f in first) == [1, 2, 3, 4, 5]
    second = analyse(1, "a", faces)
    assert not any(f.fresh for f in second) and [f.track_id for f in second] == [f.track_id for f in first]
    for a, b in zip(first, second, strict=False):
        assert np.array_equal(a.raw.compound, b.raw.compound)  # carried, not recomputed
    assert all(f.fresh for f in analyse(3, "a", faces))
    # A new source gets its own face state: frame ids restart and no track carries over.
    again = analyse(0, "b", SourceFaces(options, look_ahead=False))
    assert all(f.fresh for f in again) and sorted(f.track_id for f in again) == [1, 2, 3, 4, 5]
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
