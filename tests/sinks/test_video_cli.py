"""`cer-live run` on videos whose frames H.264 cannot take as they are: the run succeeds."""

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from ..helpers import cli, read_jsonl


def write_video(path: Path, images: list[np.ndarray], codec: str, pix_fmt: str) -> Path:
    """A real video file in a codec that takes any size (FFV1, MJPEG), as cameras and tools make."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=10)
        stream.height, stream.width = images[0].shape[:2]
        stream.pix_fmt = pix_fmt
        for i, image in enumerate(images):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def run_and_check(video: Path, out: Path, frames: int, size: tuple[int, int], note: str) -> None:
    before = video.read_bytes()
    result = cli("run", str(video), "--out", str(out))
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count(note) == 1, result.stderr  # said once, not per frame
    rows = [r for r in read_jsonl(out / f"{video.stem}.jsonl") if r["type"] in ("face", "empty")]
    assert sorted({r["frame"] for r in rows}) == list(range(frames))
    with av.open(str(out / f"{video.stem}.mp4")) as container:
        context = container.streams.video[0].codec_context
        assert (context.name, context.width, context.height) == ("h264", *size)
        assert sum(1 for _ in container.decode(video=0)) == frames
    assert video.read_bytes() == before


def test_a_one_pixel_video(tmp_path):
    images = [np.full((1, 1, 3), 20 * i, np.uint8) for i in range(10)]
    video = write_video(tmp_path / "tiny.mkv", images, "ffv1", "bgr0")
    run_and_check(video, tmp_path / "out", 10, (32, 32), "1x1 frames: padded to at least 32x32")


@pytest.mark.slow
def test_a_12000x9000_video(tmp_path, sample):
    photo = cv2.imread(str(sample("single_face.jpg")))
    big = cv2.resize(photo, (12000, 9000), interpolation=cv2.INTER_LINEAR)
    video = write_video(tmp_path / "huge.mkv", [big, big], "mjpeg", "yuvj420p")
    del big
    run_and_check(video, tmp_path / "out", 2, (3546, 2660), "12000x9000 frames: scaled down to 3546x2660")


def test_the_annotated_video_keeps_the_inputs_sound(tmp_path, sample):
    video = sample("no_face.mp4")
    done = cli("run", str(video), "--out", str(tmp_path))
    assert done.code == 0, done.stderr
    with av.open(str(video)) as source:
        want = [bytes(p) for p in source.demux(source.streams.audio[0]) if p.dts is not None]
        audio_s = float(source.streams.audio[0].duration * source.streams.audio[0].time_base)
    with av.open(str(tmp_path / "no_face.mp4")) as out:
        (stream,) = out.streams.audio
        assert stream.codec_context.name == "aac"
        got = [bytes(p) for p in out.demux(stream) if p.dts is not None]
        video_s = float(out.streams.video[0].duration * out.streams.video[0].time_base)
    assert got == want[: len(got)]  # the input's packets, copied as they are
    assert abs(len(got) * 1024 / stream.sample_rate - min(audio_s, video_s)) < 0.1  # as long as the video
