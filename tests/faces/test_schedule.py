import numpy as np

from cer_live.faces.schedule import ScheduleConfig, Scheduler
from cer_live.messages import Detection, FaceScores


def det(x: float) -> Detection:
    return Detection((x, 0.0, x + 100.0, 100.0), 0.9, ((0.0, 0.0),) * 5)


def scores(k: int) -> FaceScores:
    return FaceScores(np.eye(7, dtype=np.float32)[k], None)


def test_every_frame_by_default():
    s = Scheduler(ScheduleConfig())
    assert s.due(0, (1, 2), (det(0), det(200))) == [True, True]
    s.remember(1, scores(0))
    assert s.due(1, (1,), (det(0),)) == [True]


def test_every_k_frames_and_new_tracks_at_once():
    s = Scheduler(ScheduleConfig(every=4))
    assert s.due(0, (1,), (det(0),)) == [True]
    s.remember(1, scores(2))
    assert s.due(1, (1, 2), (det(0), det(300))) == [False, True]  # track 2 is new
    for frame in (2, 3):
        assert s.due(frame, (1, 2), (det(0), det(300))) == [False, False]
        assert s.carried(1).compound.argmax() == 2
    assert s.due(4, (1, 2), (det(0), det(300))) == [True, False]
    assert s.due(5, (1, 2), (det(0), det(300))) == [False, True]


def test_a_run_is_booked_when_decided_not_when_its_scores_come():
    """Frames are tracked on one thread and scored on another a few frames later: the frames
    tracked in between must not ask for the same run again."""
    s = Scheduler(ScheduleConfig(every=4))
    assert s.due(0, (1,), (det(0),)) == [True]
    assert s.due(1, (1,), (det(0),)) == [False]  # frame 0's scores have not come yet
    assert s.due(2, (1,), (det(0),)) == [False]
    s.remember(1, scores(3))
    assert s.carried(1).compound.argmax() == 3


def test_a_moving_box_reruns_before_k():
    s = Scheduler(ScheduleConfig(every=10, min_iou=0.6))
    assert s.due(0, (1,), (det(0),)) == [True]
    assert s.due(1, (1,), (det(10),)) == [False]  # IoU 0.82: same face, same place
    assert s.due(2, (1,), (det(40),)) == [True]  # IoU 0.43: moved, rerun


def test_ended_tracks_are_forgotten():
    s = Scheduler(ScheduleConfig(every=5))
    assert s.due(0, (1,), (det(0),)) == [True]
    s.remember(1, scores(0))
    s.forget_booked((1,))
    s.forget_scores((1,))
    assert s.due(1, (1,), (det(0),)) == [True]


def test_a_frame_id_that_goes_back_is_due():
    s = Scheduler(ScheduleConfig(every=5))
    assert s.due(100, (1,), (det(0),)) == [True]
    assert s.due(3, (1,), (det(0),)) == [True]
