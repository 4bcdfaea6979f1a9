"""--detector mediapipe and --max-yaw through the real CLI, and the one-line errors."""

import json
import re
import shutil
import sys

import pytest

from cer_live.errors import BackendError, CerLiveError
from cer_live.install import install_hint
from cer_live.run.config import RunConfig

from ..helpers import ROOT, cli, read_jsonl

needs_litert = pytest.mark.skipif(
    __import__("importlib").util.find_spec("ai_edge_litert") is None,
    reason="the mediapipe extra (ai-edge-litert) is not installed",
)


@needs_litert
@pytest.mark.slow
def test_turned_faces_keep_out_of_the_smoothed_track(tmp_path, sample):
    video = sample("WolfgangLanger_Pexels.mp4")
    done = cli("run", str(video), "--out", str(tmp_path), "--detector", "mediapipe", "--max-yaw", "8", "--no-video")
    assert done.code == 0, done.stderr
    rows = [r for r in read_jsonl(tmp_path / "WolfgangLanger_Pexels.jsonl") if r["type"] == "face"]
    assert len(rows) > 400 and all(r["pose"] is not None for r in rows)
    turned = [r for r in rows if not r["pose_ok"]]
    assert turned and len(turned) < len(rows)  # he turns now and then
    # yaw is written rounded to 0.1 degree
    assert all(abs(r["pose"]["yaw"]) >= 8 for r in turned) and all(
        abs(r["pose"]["yaw"]) <= 8.05 for r in rows if r["pose_ok"]
    )
    last_ok: dict[int, dict] = {}
    held = 0
    for r in sorted(rows, key=lambda r: r["frame"]):
        if r["pose_ok"]:
            last_ok[r["track"]] = r["compound"]
        elif r["track"] in last_ok:  # the smoothed scores stay the track's, untouched by this face
            assert r["compound"] == last_ok[r["track"]]
            held += 1
    assert held > 0


@needs_litert
def test_a_pack_can_default_to_mediapipe(tmp_path, sample):
    pack = tmp_path / "mp_pack"
    shutil.copytree(ROOT / "engines" / "default", pack)
    manifest = json.loads((pack / "pack.json").read_text())
    manifest["detector"]["kind"] = "mediapipe"
    (pack / "pack.json").write_text(json.dumps(manifest))
    out = tmp_path / "out"
    done = cli("run", str(sample("single_face.jpg")), "--out", str(out), "--pack", str(pack), "--no-video")
    assert done.code == 0, done.stderr
    assert "XNNPACK" not in done.stderr  # LiteRT's own INFO line stays out of the console
    header, *rows = read_jsonl(out / "single_face.jsonl")
    assert header["settings"]["det_size"] == 192 and rows[0]["pose"] is not None
    from cer_live.faces.mediapipe_detect import SHA256

    # The header names the front end that ran, with the hash of every model it ran.
    ran = {m["name"]: m["sha256"] for m in header["detector"]["models"]}
    assert header["detector"]["kind"] == "mediapipe"
    assert ran == {n: SHA256[n] for n in ("face_detection_full_range_sparse.tflite", "face_landmark.tflite")}
    assert header["detector_sha256"] == SHA256["face_detection_full_range_sparse.tflite"]


def test_a_changed_mediapipe_model_is_refused(tmp_path, sample):
    from cer_live.faces.mediapipe_detect import MESH_MODEL, _checked

    data = bytearray(sample(MESH_MODEL).read_bytes())
    assert _checked(sample(MESH_MODEL)) == bytes(data)
    data[len(data) // 2] ^= 0xFF
    changed = tmp_path / MESH_MODEL
    changed.write_bytes(bytes(data))
    with pytest.raises(BackendError, match="not the pinned"):
        _checked(changed)


def test_unknown_detector_is_one_line(tmp_path, sample):
    done = cli("run", str(sample("single_face.jpg")), "--out", str(tmp_path), "--detector", "yolo")
    assert done.code == 2 and "--detector" in done.stderr
    with pytest.raises(CerLiveError, match="bad detector 'yolo'"):
        RunConfig(sources=("x.mp4",), detector="yolo")
    with pytest.raises(CerLiveError, match="bad max_yaw"):
        RunConfig(sources=("x.mp4",), max_yaw=0)


def test_max_yaw_with_the_retinaface_front_end_is_refused_not_ignored(tmp_path, sample):
    out = tmp_path / "out"
    done = cli("run", str(sample("single_face.jpg")), "--out", str(out), "--max-yaw", "30")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.code == 2 and len(lines) == 1 and "--max-yaw needs a head pose" in lines[0], done.stderr
    assert not out.exists()


def test_missing_litert_names_the_install_command(monkeypatch):
    from cer_live.faces.mediapipe_detect import MediaPipeDetector

    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)  # import now fails as if not installed
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    with pytest.raises(BackendError, match=re.escape(install_hint("mediapipe"))):
        MediaPipeDetector("full")
