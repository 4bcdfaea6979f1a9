from pathlib import Path

import pytest

from cer_live.errors import SourceError
from cer_live.sources import open_sources
from cer_live.sources.video_file import VideoFileSource

from ..helpers import cli, read_jsonl
from .media import write_vfr


def test_every_frame_in_order_with_abaw_names(sample):
    source = VideoFileSource(sample("WolfgangLanger_Pexels.mp4"))
    frames = list(source.frames())
    source.close()
    assert len(frames) == 472 == source.expected_frames
    assert [f.frame_id for f in frames] == list(range(472))
    assert frames[0].name == "WolfgangLanger_Pexels/00001.jpg"
    assert frames[-1].name == "WolfgangLanger_Pexels/00472.jpg"
    assert frames[0].image.shape == (360, 640, 3)
    assert source.fps == pytest.approx(23.976, abs=0.01)
    assert frames[24].pts == pytest.approx(24 / source.fps, abs=1e-3)  # this clip is constant-rate


def test_pts_are_the_containers_presentation_times_on_a_variable_rate_video(tmp_path, sample):
    times = write_vfr(sample("WolfgangLanger_Pexels.mp4"), tmp_path / "vfr.mp4")
    source = VideoFileSource(tmp_path / "vfr.mp4")
    frames = list(source.frames())
    source.close()
    assert [f.pts for f in frames] == pytest.approx(times, abs=1e-3)
    assert [f.frame_id for f in frames] == list(range(len(times)))


def test_the_jsonl_t_is_the_presentation_time(tmp_path, sample):
    video = tmp_path / "vfr.mp4"
    times = write_vfr(sample("WolfgangLanger_Pexels.mp4"), video)
    before = video.read_bytes()
    result = cli("run", str(video), "--out", str(tmp_path / "out"))
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    rows = [r for r in read_jsonl(tmp_path / "out" / "vfr.jsonl") if r["type"] in ("face", "empty")]
    by_frame = {r["frame"]: r["t"] for r in rows}
    assert [by_frame[i] for i in range(len(times))] == pytest.approx(times, abs=1e-3)
    assert video.read_bytes() == before
    import av

    with av.open(str(tmp_path / "out" / "vfr.mp4")) as container:  # and the annotated video keeps them
        assert container.streams.video[0].codec_context.name == "h264"
        assert [f.time for f in container.decode(video=0)] == pytest.approx(times, abs=1e-3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _write(d / "zero.mp4", b""), r"empty \(0 bytes\)"),
        (lambda d: _write(d / "text.mp4", b"hello, not a video\n" * 50), "cannot decode"),
    ],
)
def test_bad_files_fail_at_open_with_one_line(tmp_path: Path, make, message):
    with pytest.raises(SourceError, match=message) as info:
        open_sources(str(make(tmp_path)))
    assert "\n" not in str(info.value)


def test_truncated_mp4_yields_what_decodes_then_says_so(tmp_path: Path, sample):
    data = sample("WolfgangLanger_Pexels.mp4").read_bytes()
    cut = _write(tmp_path / "cut.mp4", data[: len(data) // 3])
    source = VideoFileSource(cut)
    frames = []
    with pytest.raises(SourceError, match=r"ended after \d+ of 472 frames: the file is truncated"):
        for frame in source.frames():
            frames.append(frame)
    assert 0 < len(frames) < 472


def test_mp4_cut_before_its_index_cannot_be_opened(tmp_path: Path, sample):
    data = sample("face_noface.mov").read_bytes()
    with pytest.raises(SourceError, match="cannot decode|no decodable frames"):
        open_sources(str(_write(tmp_path / "head.mov", data[:2000])))


def test_empty_folder_and_folder_of_junk(tmp_path: Path):
    with pytest.raises(SourceError, match="holds no images or videos"):
        open_sources(str(tmp_path))
    _write(tmp_path / "bad.mp4", b"junk" * 100)
    with pytest.raises(SourceError, match="holds no usable video"):
        open_sources(str(tmp_path))


def test_a_folder_skips_a_bad_video_with_a_warning(tmp_path: Path, sample):
    _write(tmp_path / "bad.mp4", b"junk" * 100)
    _write(tmp_path / "good.mp4", sample("no_face.mp4").read_bytes())
    warnings: list[str] = []
    (source,) = open_sources(str(tmp_path), warnings)
    assert source.name == "good"
    assert len(warnings) == 1 and "bad.mp4" in warnings[0]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_variable_rate_mkv_is_read_whole_not_refused_as_truncated(tmp_path, sample):
    # MKV keeps no frame count: duration x nominal rate (79 here) is not the 13 frames it holds.
    times_ms = [0, 33, 67, 100, 400, 433, 467, 1500, 1517, 1533, 1550, 1567, 2600]
    times = write_vfr(sample("WolfgangLanger_Pexels.mp4"), tmp_path / "vfr.mkv", times_ms)
    source = VideoFileSource(tmp_path / "vfr.mkv")
    frames = list(source.frames())
    source.close()
    assert [f.pts for f in frames] == pytest.approx(times, abs=1e-3)


def test_a_truncated_mkv_is_still_reported(tmp_path, sample):
    full = tmp_path / "full.mkv"
    write_vfr(sample("WolfgangLanger_Pexels.mp4"), full, list(range(0, 6000, 40)))  # 150 frames, 6 s
    data = full.read_bytes()
    cut = _write(tmp_path / "cut.mkv", data[: len(data) // 3])
    source = VideoFileSource(cut)
    with pytest.raises(SourceError, match=r"ended after \d\.\d s of its 6\.0 s: the file is truncated"):
        list(source.frames())
    source.close()
