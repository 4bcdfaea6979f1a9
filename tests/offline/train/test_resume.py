"""Kill a run mid-way and resume it: every epoch once, the same final epoch count."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

from tests.helpers import ROOT, cli, read_jsonl  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.slow]
EPOCHS = 6


def _history(out):
    path = out / "history.jsonl"
    return read_jsonl(path) if path.exists() else []


def test_a_killed_run_resumes_after_its_last_epoch(small_label_set, tiny_config, tmp_path):
    config = tiny_config(archs=("mobilenet_v2",), epochs=EPOCHS, size=48)
    out = tmp_path / "run"
    args = ["train", str(small_label_set), "--config", str(config), "--out", str(out)]
    with (tmp_path / "first.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "cer_live.cli", *args], cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 300
        while len(_history(out)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # a crash: no handler runs
        proc.wait()
    before = _history(out)
    assert 2 <= len(before) < EPOCHS, ([h["epoch"] for h in before], (tmp_path / "first.log").read_text()[-2000:])
    assert torch.load(out / "last.state", weights_only=True)["epoch"] == len(before)

    done = cli("train", "--out", str(out), "--resume")
    assert done.code == 0, done.stderr[-3000:]
    history = _history(out)
    assert [h["epoch"] for h in history] == list(range(1, EPOCHS + 1))
    assert [h["session"] for h in history] == [0] * len(before) + [1] * (EPOCHS - len(before))
    assert history[: len(before)] == before  # the epochs of the killed session are kept as they were
    summary = json.loads((out / "run.json").read_text())
    assert summary["status"] == "finished" and summary["sessions"] == 2 and summary["epochs"] == EPOCHS
    assert f"after epoch {len(before)} of {EPOCHS}" in done.stderr.replace("\n", " ")
    assert summary["best"]["mobilenet_v2"]["epoch"] in range(1, EPOCHS + 1)
    done = cli("train", "--out", str(out), "--resume", "--lr", "0.5")
    assert done.code == 2 and "lr differ" in done.stderr and "Traceback" not in done.stderr


def test_a_new_run_never_writes_into_an_old_folder(small_label_set, tiny_config, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("someone's results")
    done = cli("train", str(small_label_set), "--config", str(tiny_config()), "--out", str(out))
    assert done.code == 2 and "exists and is not empty" in done.stderr and "Traceback" not in done.stderr
    done = cli("train", "--out", str(out), "--resume")
    assert done.code == 2 and "no run to resume" in done.stderr
    assert (out / "keep.txt").read_text() == "someone's results"


def test_a_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(small_label_set, tiny_config, tmp_path):
    """Data order and augmentation depend on (seed, epoch) and the random states are restored."""
    config = str(tiny_config(archs=("resnet18",), epochs=2, size=48))
    assert cli("train", str(small_label_set), "--config", config, "--out", str(tmp_path / "a")).code == 0
    assert (
        cli("train", str(small_label_set), "--config", config, "--out", str(tmp_path / "b"), "--epochs", "1").code == 0
    )
    assert cli("train", "--out", str(tmp_path / "b"), "--resume", "--epochs", "2").code == 0
    a, b = (torch.load(tmp_path / r / "last.state", weights_only=True)["members"]["resnet18"]["model"] for r in "ab")
    assert all(torch.equal(a[k], b[k]) for k in a)
