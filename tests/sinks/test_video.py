import numpy as np

from cer_live.sinks.base import SinkSet
from cer_live.sinks.draw import draw
from cer_live.sinks.video import AnnotatedVideoSink

from ..helpers import count_video_frames
from .factories import frame_result


def test_one_output_frame_per_input_frame_at_the_first_size(tmp_path):
    path = tmp_path / "out.mp4"
    sink = AnnotatedVideoSink(path, 25.0, "cer-live test")
    for i in range(10):
        sink.write(frame_result(i, faces=i % 3, size=(120, 160) if i < 5 else (90, 200)))
    sink.close()
    import cv2

    cap = cv2.VideoCapture(str(path))
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (160, 120)
    cap.release()
    assert count_video_frames(path) == 10


def test_overlay_draws_on_a_copy_and_marks_faces(tmp_path):
    result = frame_result(0, faces=1)
    before = result.frame.image.copy()
    drawn = draw(result, "cer-live test")
    assert np.array_equal(result.frame.image, before)  # the source frame is never touched
    changed = np.any(drawn != before, axis=2)
    assert changed[10, 10:40].any()  # box edge
    assert changed[-12:, :60].any()  # watermark


class Exploding:
    name = "boom"
    path = None

    def write(self, result):
        raise OSError("disk full")

    def close(self):
        pass


def test_a_failing_sink_does_not_stop_the_others(tmp_path):
    good = AnnotatedVideoSink(tmp_path / "ok.mp4", 25.0, "x")
    sinks = SinkSet([Exploding(), good])
    for i in range(3):
        sinks.write(frame_result(i))
    sinks.close()
    assert sinks.failures == {"boom": "OSError: disk full"}
    assert count_video_frames(tmp_path / "ok.mp4") == 3
