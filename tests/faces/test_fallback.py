import numpy as np

from cer_live.faces.fallback import NearestFaceFallback
from cer_live.messages import Detection, FaceResult, FaceScores, Frame, FrameResult


def result(fid: int, face: bool) -> FrameResult:
    frame = Frame(fid, 0.0, fid / 25, np.zeros((2, 2, 3), np.uint8), f"v/{fid + 1:05d}.jpg")
    faces = ()
    if face:
        scores = FaceScores(np.full(7, 1 / 7), None)
        faces = (FaceResult(1, Detection((0, 0, 1, 1), 0.9, ((0.0, 0.0),) * 5), scores, scores, True),)
    return FrameResult(frame, faces, {})


def run(pattern: str, max_age: int, look_ahead: bool) -> list[FrameResult]:
    fb = NearestFaceFallback(max_age, look_ahead)
    out = []
    for i, c in enumerate(pattern):
        out += fb.push(result(i, c == "F"))
    return out + fb.flush()


def sources(results):
    return [r.faces[0].fallback_from if r.faces and r.faces[0].fallback else None for r in results]


def test_look_back_and_ahead_picks_the_nearest_within_the_age():
    out = run("F.....F", max_age=2, look_ahead=True)
    assert [r.frame.frame_id for r in out] == list(range(7))  # order kept, nothing dropped
    # frames 1, 2 borrow from 0; 4, 5 from 6; frame 3 is 3 away from both: no face
    assert sources(out) == [None, 0, 0, None, 6, 6, None]
    assert not out[3].faces


def test_ties_go_to_the_past_and_live_sources_only_look_back():
    assert sources(run("F..F", max_age=5, look_ahead=True)) == [None, 0, 3, None]
    assert sources(run("F...F", max_age=5, look_ahead=True)) == [None, 0, 0, 4, None]  # frame 2: tie -> past
    assert sources(run("...F..", max_age=5, look_ahead=False)) == [None, None, None, None, 3, 3]


def test_off_when_age_is_zero_and_frames_are_held_at_most_max_age():
    assert sources(run("F..F", max_age=0, look_ahead=True)) == [None] * 4
    fb = NearestFaceFallback(3, True)
    released = []
    for i in range(10):
        released += fb.push(result(i, False))
        assert i - len(released) < 3 + 1  # look-ahead holds no more than max_age frames
