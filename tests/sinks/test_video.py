import logging
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace

import av
import numpy as np
import pytest

from cer_live.errors import DiskFullError
from cer_live.messages import FrameResult
from cer_live.sinks.base import Sink, SinkSet
from cer_live.sinks.draw import draw
from cer_live.sinks.video import AnnotatedVideoSink
from cer_live.sources.video_file import VideoFileSource

from ..helpers import ROOT, count_video_frames
from .disk import small_disk
from .factories import frame_result


def real_frames(sample, n: int | None = None) -> list[FrameResult]:
    source = VideoFileSource(sample("WolfgangLanger_Pexels.mp4"))
    out = []
    for frame in source.frames():
        out.append(FrameResult(frame, (), {}))
        if n is not None and len(out) == n:
            break
    source.close()
    return out


def decoded(path) -> tuple[av.codec.context.CodecContext, list[float]]:
    """The stream's codec context and every decoded frame's time; a broken file raises."""
    with av.open(str(path)) as container:
        context = container.streams.video[0].codec_context
        times = [frame.time for frame in container.decode(video=0)]
    return context, times


def top_level_boxes(path) -> list[tuple[str, int]]:
    """The MP4's top-level boxes; fails if the last one is cut short."""
    data = path.read_bytes()
    boxes, at = [], 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8].decode("latin-1")
        assert size >= 8 and at + size <= len(data), f"box {kind!r} at {at} cut short"
        boxes.append((kind, size))
        at += size
    return boxes


def test_h264_in_fragmented_mp4_that_decodes(tmp_path, sample):
    path = tmp_path / "out.mp4"
    sink = AnnotatedVideoSink(path, 23.976, "cer-live test")
    for result in real_frames(sample, 60):
        sink.write(result)
    sink.close()
    context, times = decoded(path)
    assert (context.name, context.pix_fmt, context.width, context.height) == ("h264", "yuv420p", 640, 360)
    assert len(times) == 60 == count_video_frames(path)  # OpenCV reads it too
    kinds = [kind for kind, _ in top_level_boxes(path)]
    assert kinds[:2] == ["ftyp", "moov"] and kinds.count("moof") >= 3  # a fragment about every second


def test_frame_times_come_from_each_frames_pts(tmp_path):
    """A variable frame rate stays variable: gaps in the source are gaps in the video."""
    pts = [0.0, 0.04, 0.08, 0.5, 0.54, 2.0, 2.1, 2.1, 2.3]  # a repeated time moves on by one tick
    path = tmp_path / "vfr.mp4"
    sink = AnnotatedVideoSink(path, 25.0, "x")
    for i, t in enumerate(pts):
        result = frame_result(i)
        sink.write(replace(result, frame=replace(result.frame, pts=t)))
    sink.close()
    _, times = decoded(path)
    expected = pts[:7] + [2.1 + 1 / 90000, 2.3]
    assert times == pytest.approx(expected, abs=1e-4)


def test_later_frames_of_another_size_are_fitted_not_stretched(tmp_path):
    path = tmp_path / "out.mp4"
    sink = AnnotatedVideoSink(path, 25.0, "cer-live test")
    for i in range(10):
        sink.write(frame_result(i, faces=i % 3, size=(120, 160) if i < 5 else (90, 200)))
    sink.close()
    context, times = decoded(path)
    assert (context.width, context.height) == (160, 120) and len(times) == 10
    with av.open(str(path)) as container:
        last = list(container.decode(video=0))[-1].to_ndarray(format="bgr24")
    # 200x90 scaled to 160x72 and centred: black bands above and below, grey picture between
    assert last[:20].max() < 20 and last[-20:].max() < 20 and abs(int(last[60, 80, 0]) - 60) < 12


@pytest.mark.parametrize(
    ("size", "canvas"),
    [((1, 1), (32, 32)), ((361, 641), (642, 362)), ((9000, 12000), (3546, 2660))],
    ids=["1x1", "odd", "12000x9000"],
)
def test_frame_sizes_h264_cannot_take_are_padded_or_scaled(tmp_path, caplog, size, canvas):
    path = tmp_path / "out.mp4"
    sink = AnnotatedVideoSink(path, 5.0, "x")
    with caplog.at_level(logging.WARNING, logger="cer_live.sinks.video"):
        for i in range(2):
            sink.write(frame_result(i, faces=0, size=size))
        sink.close()
    context, times = decoded(path)
    assert (context.width, context.height) == canvas and len(times) == 2
    notes = [r.getMessage() for r in caplog.records]
    assert len(notes) == 1 and f"{size[1]}x{size[0]} frames" in notes[0]  # said once, not per frame


KILLED_WRITER = """
import sys, time
from cer_live.messages import FrameResult
from cer_live.sinks.video import AnnotatedVideoSink
from cer_live.sources.video_file import VideoFileSource
from pathlib import Path
source = VideoFileSource(Path(sys.argv[1]))
sink = AnnotatedVideoSink(Path(sys.argv[2]), source.fps, "x")
for n, frame in enumerate(source.frames(), 1):
    sink.write(FrameResult(frame, (), {}))
    if n == 100:
        print("WROTE", flush=True)
        time.sleep(60)
"""


def test_a_killed_writer_leaves_a_video_that_plays_to_its_last_fragment(tmp_path, sample):
    path = tmp_path / "killed.mp4"
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(sample("WolfgangLanger_Pexels.mp4")), str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "WROTE"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    _, times = decoded(path)
    # 100 frames written at 24 fps with a keyframe a second: the fragments up to frame 96 are on disk
    assert 72 <= len(times) <= 100
    assert times == sorted(times) and times[-1] == pytest.approx((len(times) - 1) / 23.976, abs=1e-3)


def test_a_full_disk_leaves_whole_fragments_and_says_so_in_one_line(tmp_path, sample):
    with small_disk(tmp_path / "disk", 640) as disk:  # a few one-second fragments of about 250 KiB
        path = disk / "out.mp4"
        sink = AnnotatedVideoSink(path, 23.976, "x")
        with pytest.raises(DiskFullError) as info:
            for result in real_frames(sample):
                sink.write(result)
            sink.close()
        message = str(info.value)
        assert "\n" not in message and f"no space left on the disk holding '{disk}'" in message and "out.mp4" in message
        boxes = top_level_boxes(path)  # the file ends on a whole box: no half fragment
        assert boxes[-1][0] == "mdat" and sum(size for _, size in boxes) == path.stat().st_size
        _, times = decoded(path)
        assert len(times) >= 24 and len(times) % 24 == 0  # whole one-second fragments only


class Exploding(Sink):
    name = "boom"

    def write(self, result):
        raise OSError("disk full")


def test_a_failing_sink_does_not_stop_the_others(tmp_path):
    good = AnnotatedVideoSink(tmp_path / "ok.mp4", 25.0, "x")
    sinks = SinkSet([Exploding(), good])
    for i in range(3):
        sinks.write(frame_result(i))
    sinks.close()
    assert sinks.failures == {"boom": "OSError: disk full"}
    assert count_video_frames(tmp_path / "ok.mp4") == 3


def test_overlay_draws_on_a_copy_and_marks_faces():
    result = frame_result(0, faces=1)
    before = result.frame.image.copy()
    drawn = draw(result, "cer-live test")
    assert np.array_equal(result.frame.image, before)  # the source frame is never touched
    changed = np.any(drawn != before, axis=2)
    assert changed[10, 10:40].any()  # box edge
    assert changed[-12:, :60].any()  # watermark
