"""torchrun with two CPU processes (gloo): the run trains, rank 0 alone writes, weights agree."""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("torchvision")

from tests.helpers import ROOT, read_jsonl  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.slow]


def test_torchrun_two_processes_on_the_cpu(small_label_set, tiny_config, tmp_path):
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "cer_live.cli",
        "train",
        str(small_label_set),
        "--config",
        str(tiny_config(epochs=2, size=48)),
        "--out",
        str(out),
        "--device",
        "cpu",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    files = {p.name for p in out.iterdir()}
    assert files == {"config.toml", "run.json", "history.jsonl", "last.state", "mobilenet_v2.pth", "resnet18.pth"}
    summary = json.loads((out / "run.json").read_text())
    assert summary["world_size"] == 2 and summary["ranks_in_sync"] is True
    assert [h["epoch"] for h in read_jsonl(out / "history.jsonl")] == [1, 2]
    # only rank 0 reports: each epoch line and the class table appear once
    text = done.stdout + done.stderr
    assert text.count("epoch 1 (") == 1 and text.count("epoch 2 (") == 1
    assert text.count("images per class") == 1
