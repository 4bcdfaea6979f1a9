"""Members side by side on the CPU threads: when, and that the scores are those of one
member after another."""

import copy
import json
import os
import shutil
import threading
import time

import numpy as np
import pytest

from cer_live.models.backends import BackendOptions
from cer_live.models.member_threads import MemberRunner, MemberThreads, plan


def test_side_by_side_on_the_cpu_with_threads_to_share():
    two = BackendOptions(threads=2, precision="auto")
    assert plan(5, "auto", two) == MemberThreads(2, 1)
    assert plan(5, "onnxruntime", BackendOptions(threads=2, precision="fp32")) == MemberThreads(2, 1)
    assert plan(5, "onnxruntime", BackendOptions(threads=4, precision="int8")) == MemberThreads(4, 1)
    assert plan(2, "onnxruntime", BackendOptions(threads=4, precision="int8")) == MemberThreads(2, 2)
    assert plan(5, "auto", BackendOptions(threads=1)) == MemberThreads(1, 1)
    assert plan(1, "auto", two) == MemberThreads(1, 2)
    assert plan(5, "torch", two) == MemberThreads(1, 2)
    assert plan(5, "auto", BackendOptions(threads=2, device="cuda")) == MemberThreads(1, 2)


def test_the_runner_overlaps_jobs_and_starts_the_longest_first():
    runner = MemberRunner(MemberThreads(2, 1))
    started: list[int] = []
    lock = threading.Lock()
    short_ran = threading.Event()
    overlapped: list[bool] = []

    def job(key: int, long: bool):
        def run():
            with lock:
                started.append(key)
            if long:  # waits for a short job: it only comes if the two run side by side
                overlapped.append(short_ran.wait(timeout=10))
                time.sleep(0.05)  # and is the slowest
            else:
                short_ran.set()
            return key * 10

        return run

    jobs = [(0, job(0, False)), (1, job(1, False)), (2, job(2, True))]
    assert runner.map(jobs) == {0: 0, 1: 10, 2: 20}
    started.clear()
    short_ran.clear()
    assert runner.map(jobs) == {0: 0, 1: 10, 2: 20}
    runner.close()
    assert started[0] == 2  # slowest last time, so first now
    assert overlapped == [True, True]  # the long job ran beside a short one, both times


@pytest.fixture(scope="module")
def two_int8_members(default_int8, tmp_path_factory):
    """The quantized default pack with its member listed twice (two real INT8 members)."""
    path, _ = default_int8
    pack = tmp_path_factory.mktemp("two8") / "two8"
    shutil.copytree(path, pack, copy_function=os.link)
    (pack / "pack.json").unlink()
    manifest = json.loads((path / "pack.json").read_text())
    twin = copy.deepcopy(manifest["members"][0])
    twin["name"] += "_twin"
    manifest["members"].append(twin)
    manifest["name"] = "two8"
    (pack / "pack.json").write_text(json.dumps(manifest))
    return pack


@pytest.mark.slow
def test_side_by_side_scores_equal_one_after_another(two_int8_members, sample):
    import cv2

    from cer_live.models.ensemble import Ensemble
    from cer_live.models.packs import load_pack
    from cer_live.run.analyser import Analyser, AnalyserOptions

    pack = load_pack(str(two_int8_members))
    image = cv2.imread(str(sample("multi_face.jpg")))
    analyser = Analyser(pack, AnalyserOptions(threads=2, backend="onnxruntime"))
    assert analyser.member_threads == {"members_at_once": 2, "threads_per_member": 1}
    dets = analyser.detector.detect([image])[0]
    assert len(dets) >= 3
    alone = Ensemble(pack, "onnxruntime", BackendOptions(threads=1, precision="int8"))
    assert not alone.threads.side_by_side
    together, _ = analyser.ensemble.score(image, dets)
    after, _ = alone.score(image, dets)
    for a, b in zip(together, after, strict=True):
        np.testing.assert_allclose(a.member_compound, b.member_compound, atol=1e-6)
        np.testing.assert_allclose(a.compound, b.compound, atol=1e-6)
    analyser.close()
    alone.close()
