"""Three real RTSP streams in one process: per-source outputs, fairness, reconnect, real batches."""

import json
import signal
import time

import pytest

from ..helpers import cli, read_jsonl, start_cli
from ..sources.rtsp import RtspServer, server_available, wait_for

pytestmark = pytest.mark.slow
needs_server = pytest.mark.skipif(server_available() is not None, reason=str(server_available()))


def frame_rows(path) -> list[dict]:
    """Whole lines only: the writer may be mid-line while a test reads."""
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [r for r in (json.loads(line) for line in lines if line.endswith("}")) if r.get("type") in ("face", "empty")]


def frames_seen(path) -> int:
    return len({r["frame"] for r in frame_rows(path)})


def rate(paths, seconds: float) -> list[float]:
    before = [frames_seen(p) for p in paths]
    time.sleep(seconds)
    return [(frames_seen(p) - b) / seconds for p, b in zip(paths, before, strict=False)]


@needs_server
def test_three_streams_at_once_one_dies_and_comes_back(tmp_path, sample):
    video = sample("WolfgangLanger_Pexels.mp4")
    servers = [RtspServer(video, mount=f"cam{i}").start() for i in range(3)]
    out = tmp_path / "out"
    # A batch waits up to 40 ms for the other streams (24 fps: a frame every 42 ms), so that batches
    # form even when the machine is fast enough to take every frame alone.
    args = ("--out", str(out), "--no-video", "--no-show", "--timeout", "2", "--batch-wait", "40")
    proc = start_cli("run", *(s.url for s in servers), *args)
    paths = [out / f"rtsp-cam{i}.jsonl" for i in range(3)]
    try:
        assert wait_for(lambda: all(frames_seen(p) >= 24 for p in paths), timeout=40), [frames_seen(p) for p in paths]
        steady = rate(paths, 2.0)
        assert all(r > 5 for r in steady), steady
        servers[1].kill()
        # The dead stream's reads time out (2 s) and it retries; the others do not wait for it.
        survivors = rate([paths[0], paths[2]], 3.0)
        assert all(r >= 0.6 * min(steady[0], steady[2]) for r in survivors), (steady, survivors)
        stalled = frames_seen(paths[1])
        servers[1] = RtspServer(video, port=servers[1].port, mount="cam1").start()
        recovered = lambda: any(r.get("event") == "recovered" for r in read_whole(paths[1]))  # noqa: E731
        assert wait_for(recovered, timeout=20)
        assert wait_for(lambda: frames_seen(paths[1]) > stalled + 10, timeout=10)
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        for server in servers:
            server.kill()
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr
    assert stderr.count("stopping: flushing") == 1  # three lanes stop together; the user is told once
    for path in paths:
        rows = read_jsonl(path)  # every line whole and valid
        assert rows[0]["type"] == "header" and rows[0]["source"].startswith("rtsp://127.0.0.1:")
    summary = json.loads((out / "summary.json").read_text())
    assert [s["name"] for s in summary["sources"]] == ["rtsp-cam0", "rtsp-cam1", "rtsp-cam2"]
    # Batching is real: the run's own statistics say the models saw several streams per call.
    batching = summary["batching"]
    assert batching["detector"]["max"] > 1 and batching["detector"]["mean"] > 1.3, batching
    assert batching["members"]["max"] > 1 and batching["members"]["mean"] > 1.3, batching
    for source in summary["sources"]:
        assert source["batches"]["detector"]["mean"] > 1.3, source["batches"]
    events = [r["event"] for r in read_jsonl(paths[1]) if r["type"] == "status"]
    assert "lost" in events and "recovered" in events


def read_whole(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def test_files_at_once_keep_every_frame_and_share_batches(tmp_path, sample):
    video = sample("WolfgangLanger_Pexels.mp4")
    done = cli(
        "run", str(video), str(sample("single_face.jpg")), str(video), "--out", str(tmp_path), "--no-video", timeout=240
    )
    assert done.code == 0, done.stderr
    for stem in ("WolfgangLanger_Pexels", "WolfgangLanger_Pexels-2"):
        frames = sorted(
            {r["frame"] for r in read_jsonl(tmp_path / f"{stem}.jsonl")[1:] if r["type"] in ("face", "empty")}
        )
        assert frames == list(range(472))  # files never drop, whatever the other sources do
    assert len(read_jsonl(tmp_path / "single_face.jsonl")) == 2
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [s["dropped_frames"] for s in summary["sources"]] == [0, 0, 0]
    # Both videos always have a frame ready: nearly every call carries one of each.
    assert summary["batching"]["detector"]["mean"] > 1.9 and summary["batching"]["members"]["mean"] > 1.9
