"""The `fer` peer is measured in an interpreter of its own, or said absent with how to make one."""

from __future__ import annotations

import importlib.util
import os
import sys

import av
import numpy as np
import pytest

from cer_live.bench.baselines import MAKE_PEER, peer_fps, peer_status


@pytest.mark.skipif(importlib.util.find_spec("fer") is not None, reason="fer is installed in cer-live's environment")
def test_an_interpreter_without_fer_is_reported_with_the_way_to_make_one():
    status = peer_status(sys.executable)  # a real interpreter, the one running cer-live, which has no fer
    assert status["status"] == "absent"
    assert sys.executable in status["note"] and "cannot import fer" in status["note"]
    assert MAKE_PEER in status["note"] and "--peer-python" in status["note"]


def test_without_an_interpreter_the_report_says_how_to_make_one():
    status = peer_status(None)
    if status["status"] == "absent":
        assert "tensorflow-cpu" in status["note"] and "--no-deps fer==25.10.3" in status["note"]


PEER_PYTHON = os.environ.get("CER_LIVE_PEER_PYTHON", "")


@pytest.mark.slow
@pytest.mark.skipif(not PEER_PYTHON, reason="set CER_LIVE_PEER_PYTHON to the python of an environment with fer")
def test_the_peer_runs_in_its_own_interpreter_on_the_same_frames(sample, tmp_path):
    status = peer_status(PEER_PYTHON)
    assert status["status"] == "available" and status["python"] == PEER_PYTHON
    run = peer_fps(sample("WolfgangLanger_Pexels.mp4"), 6, PEER_PYTHON, tmp_path)
    assert run.fps > 0 and 0 < run.whole_process_fps < run.fps  # the whole process includes start-up
    assert np.load(tmp_path / "peer-frames.npy").shape == (6, 360, 640, 3)  # the frames it was given


def test_the_whole_process_is_cer_live_run_from_spawn_to_exit(sample, tmp_path):
    from cer_live.bench.baselines import whole_process_fps
    from cer_live.models.packs import load_pack

    video = sample("face_noface.mov")
    fps = whole_process_fps(video, load_pack("default").path, tmp_path)
    with av.open(str(video)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    # start-up and model loading are in the wall time: well under the pipeline's own frame rate
    assert 0 < fps < frames / 0.3
    assert not (tmp_path / "whole-process").exists()  # its outputs are not left behind


def test_a_failing_whole_process_is_one_bench_error(tmp_path):
    from cer_live.bench.baselines import whole_process_fps
    from cer_live.bench.errors import BenchError
    from cer_live.models.packs import load_pack

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(BenchError, match="cer-live run failed on broken.mp4"):
        whole_process_fps(broken, load_pack("default").path, tmp_path)
