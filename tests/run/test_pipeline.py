"""Whole-pipeline behaviour that only shows in a real process: stopping, imports."""

import json
import signal
import subprocess
import sys
import time

from ..helpers import ROOT, count_video_frames, read_jsonl, start_cli


def test_ctrl_c_stops_between_frames_and_leaves_whole_outputs(tmp_path, sample):
    out = tmp_path / "out"
    # A large detector input slows the run down so that the signal lands mid-video.
    proc = start_cli(
        "run", str(sample("WolfgangLanger_Pexels.mp4")), "--out", str(out), "--det-size", "1280", "--threads", "1"
    )
    jsonl = out / "WolfgangLanger_Pexels.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not jsonl.exists() or jsonl.read_text().count("\n") < 21
    ):  # header + 20 frames
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    rows = read_jsonl(jsonl)[1:]
    frames = sorted({r["frame"] for r in rows})
    assert 20 <= len(frames) < 472
    assert frames == list(range(len(frames)))  # no gaps: every frame read was written
    assert count_video_frames(out / "WolfgangLanger_Pexels.mp4") == len(frames)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] is True and summary["sources"][0]["frames"] == len(frames)


def test_the_runtime_path_never_imports_torch(tmp_path, sample):
    code = (
        "import sys, cer_live.cli as c\n"
        f"rc = c.main(['run', {str(sample('single_face.jpg'))!r}, '--out', {str(tmp_path)!r}])\n"
        "assert rc == 0, rc\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision', 'tensorflow', 'h5py', 'onnx'))\n"
        "print(heavy)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
