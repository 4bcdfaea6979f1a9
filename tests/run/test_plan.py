"""Plan, then open: sources are checked without being kept open, and a lane opens its own."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import cv2
import pytest

from cer_live.run.config import RunConfig
from cer_live.run.plan import plan_sources
from cer_live.run.run import Run
from cer_live.run.source_list import read_source_list

CLIPS = 40
CLIP_FRAMES = 3


def _clips(sample_video: Path, folder: Path, count: int, frames: int) -> Path:
    """`count` tiny real clips (a few frames of the sample video, scaled down) in `folder`."""
    folder.mkdir()
    cap = cv2.VideoCapture(str(sample_video))
    images = []
    for _ in range(frames):
        ok, image = cap.read()
        assert ok
        images.append(cv2.resize(image, (160, 90)))
    cap.release()
    for i in range(count):
        writer = cv2.VideoWriter(str(folder / f"clip{i:02d}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 24, (160, 90))
        for image in images:
            writer.write(image)
        writer.release()
    return folder


def _open_in(folder: Path) -> int:
    """File descriptors of this process open on files in `folder` (a decoder holds one per open video)."""
    prefix = f"{folder.resolve()}/"
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(prefix)
        except OSError:
            continue
    return count


class _PeakOpen(threading.Thread):
    """Samples the open files in a folder every few milliseconds; `peak` is the most seen at once."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder, self.peak, self.samples = folder, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _open_in(self.folder))
            self.samples += 1
            time.sleep(0.002)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_a_folder_of_40_videos_read_two_at_a_time_never_holds_more_than_two_open(tmp_path, sample):
    clips = _clips(sample("WolfgangLanger_Pexels.mp4"), tmp_path / "clips", CLIPS, CLIP_FRAMES)
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def on_result(stem, result):
        with lock:
            seen[stem] = seen.get(stem, 0) + 1

    config = RunConfig((str(clips),), out=tmp_path / "out", video=False, show=False, max_streams=2)
    watcher = _PeakOpen(clips)
    watcher.start()
    try:
        summary = Run(config, on_result=on_result).execute()
    finally:
        watcher.done.set()
        watcher.join()
    assert len(summary.sources) == CLIPS and all(r.frames == CLIP_FRAMES for r in summary.sources)
    assert seen == {f"clip{i:02d}": CLIP_FRAMES for i in range(CLIPS)}
    assert watcher.samples > CLIPS  # it looked often enough to see every lane
    assert 1 <= watcher.peak <= 2, watcher.peak
    assert _open_in(clips) == 0


def test_planning_a_folder_opens_one_video_at_a_time_and_keeps_none(tmp_path, sample):
    clips = _clips(sample("WolfgangLanger_Pexels.mp4"), tmp_path / "clips", 6, 2)
    watcher = _PeakOpen(clips)
    watcher.start()
    try:
        specs = plan_sources(RunConfig((str(clips),), out=tmp_path / "out"))
    finally:
        watcher.done.set()
        watcher.join()
    assert [s.name for s in specs] == [f"clip{i:02d}" for i in range(6)]
    assert all(s.kind == "video" and s.expected_frames == 2 and not s.live for s in specs)
    assert watcher.peak <= 1 and _open_in(clips) == 0
    source = specs[3].open()
    try:
        assert source.name == "clip03" and _open_in(clips) == 1
        assert sum(1 for _ in source.frames()) == 2
    finally:
        source.close()
    assert _open_in(clips) == 0


def test_a_source_list_entry_keeps_its_own_name_policy_and_timeouts(tmp_path, sample):
    _clips(sample("WolfgangLanger_Pexels.mp4"), tmp_path / "clips", 2, 2)
    listing = tmp_path / "cams.toml"
    listing.write_text(
        '[[source]]\nname = "door"\npath = "clips/clip00.mp4"\npolicy = "latest"\ntimeout = 9\n'
        '[[source]]\nname = "yard"\npath = "clips"\n',
        encoding="utf-8",
    )
    config = RunConfig((), source_list=read_source_list(listing), policy="all", timeout=3.0)
    door, *yard = plan_sources(config)
    assert (door.name, door.policy, door.stream.open_timeout_s) == ("door", "latest", 9)
    assert [(s.name, s.policy, s.stream.open_timeout_s) for s in yard] == [
        ("yard-clip00", "all", 3.0),
        ("yard-clip01", "all", 3.0),
    ]
    assert door.settings() == {"kind": "video", "policy": "latest"}


def test_a_planned_stream_never_shows_its_credentials(tmp_path):
    from cer_live.run.plan import SourceSpec
    from cer_live.sources import StreamOptions

    spec = SourceSpec(
        "stream", "rtsp://user:secret@127.0.0.1:1/cam", "rtsp-cam", "rtsp://***@127.0.0.1:1/cam",
        True, (), 25.0, None, False, None, StreamOptions(),
    )  # fmt: skip
    assert "secret" not in repr(spec) and "secret" not in str(spec.settings())
