import numpy as np
import pytest

from cer_live.faces.track import IoUTracker, iou_matrix, protagonist_index
from cer_live.messages import Detection


def det(x1, y1, x2, y2):
    return Detection((x1, y1, x2, y2), 0.9, ((0.0, 0.0),) * 5)


def test_iou_by_hand():
    a = np.array([[0, 0, 10, 10]], float)
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30]], float)
    # overlap 5 x 10 = 50; union 100 + 100 - 50 = 150
    assert iou_matrix(a, b)[0] == pytest.approx([1 / 3, 0.0])


def test_ids_are_stable_and_new_faces_get_new_ids():
    tracker = IoUTracker(iou_threshold=0.3, max_missed=2)
    ids, _ = tracker.update((det(0, 0, 10, 10), det(100, 0, 110, 10)))
    assert ids == [1, 2]
    # the faces swap places in the list and move a little: ids follow the boxes
    ids, _ = tracker.update((det(101, 0, 111, 10), det(1, 0, 11, 10)))
    assert ids == [2, 1]
    ids, _ = tracker.update((det(300, 0, 310, 10),))
    assert ids == [3]


def test_a_track_ends_after_max_missed_frames():
    tracker = IoUTracker(max_missed=2)
    tracker.update((det(0, 0, 10, 10),))
    assert tracker.update(())[1] == []
    assert tracker.update(())[1] == []
    assert tracker.update(())[1] == [1]
    assert tracker.update((det(0, 0, 10, 10),))[0] == [2]  # a returning face is a new track


def test_protagonist_is_the_largest_face():
    assert protagonist_index(()) is None
    assert protagonist_index((det(0, 0, 10, 10), det(0, 0, 30, 5), det(0, 0, 12, 12))) == 1  # 150 > 144 > 100


def test_end_all_ends_every_track_and_never_reuses_an_id():
    from cer_live.faces.track import IoUTracker
    from cer_live.messages import Detection

    face = Detection((10.0, 10.0, 50.0, 60.0), 0.9, ((20.0, 30.0),) * 5)
    tracker = IoUTracker()
    (first,), _ = tracker.update((face,))
    assert tracker.end_all() == [first]
    (second,), ended = tracker.update((face,))  # the same place, after a cut: a new track
    assert second != first and ended == []
