import cv2
import numpy as np

from cer_live.analyser import Analyser, AnalyserOptions
from cer_live.messages import Frame
from cer_live.packs import load_pack
from cer_live.schedule import ScheduleConfig


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
