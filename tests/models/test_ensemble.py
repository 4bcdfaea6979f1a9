"""The five-member ensemble: batched scoring, fusion, and the pipeline on a real video."""

import json
from collections import Counter

import numpy as np
import pytest

from cer_live.classes import COMPOUND_CLASSES
from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.fusion import majority_labels
from cer_live.models.packs import load_pack
from tests.conftest import FIVE
from tests.helpers import cli, read_jsonl

pytestmark = pytest.mark.torch


def test_batched_ensemble_equals_each_member_alone(five_member_pack, sample):
    import cv2

    from cer_live.faces.state import FaceOptions, SourceFaces
    from cer_live.messages import Frame
    from cer_live.run.analyser import Analyser, AnalyserOptions

    pack = load_pack(str(five_member_pack.path))
    image = cv2.imread(str(sample("multi_face.jpg")))
    analyser = Analyser(pack, AnalyserOptions(threads=2))
    dets = analyser.detector.detect([image])[0]
    assert len(dets) == 5
    faces, _ = analyser.ensemble.score(image, dets)
    from cer_live.faces.align import align
    from cer_live.models.preprocess import to_tensor

    spec = pack.members[0]
    tensor = to_tensor(align(image, dets, spec.template, spec.size), spec.colour, spec.mean, spec.std)
    for m, member in enumerate(pack.members):
        logits = backends.create("onnxruntime", member.model, BackendOptions(threads=2)).infer(tensor)[0]
        probs = np.exp(logits - logits.max(1, keepdims=True))
        probs /= probs.sum(1, keepdims=True)
        order = [member.classes.index(c) for c in COMPOUND_CLASSES]
        for i, face in enumerate(faces):
            assert np.abs(face.member_compound[m] - probs[i, order]).max() < 1e-5
    stacked = np.stack([f.member_compound for f in faces], axis=1)  # (members, faces, classes)
    assert [int(f.compound.argmax()) for f in faces] == majority_labels(stacked).tolist()
    [result] = analyser.analyse(
        Frame(0, 0.0, 0.0, image, "multi_face.jpg"), SourceFaces(FaceOptions(), look_ahead=False)
    )
    assert len(result.faces) == 5 and all(f.fresh for f in result.faces)
    analyser.close()


def test_five_member_pack_runs_on_a_sample_video_with_a_schedule(five_member_pack, sample, tmp_path):
    out = tmp_path / "out"
    every = 12
    result = cli(
        "run", str(sample("WolfgangLanger_Pexels.mp4")), "--pack", str(five_member_pack.path),
        "--out", str(out), "--every", str(every), "--no-video", timeout=900,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert "untrained members" in result.stderr  # the user is told the labels mean nothing
    rows = read_jsonl(out / "WolfgangLanger_Pexels.jsonl")
    header, faces = rows[0], [r for r in rows[1:] if r["type"] == "face"]
    assert [m["name"] for m in header["members"]] == list(FIVE)
    assert header["settings"]["every"] == every and header["settings"]["fusion"] == "majority"
    assert len({r["frame"] for r in rows[1:]}) == 472
    fresh = [r for r in faces if r["fresh"]]
    # one face throughout: a fresh row at least every 12 frames, far fewer than every frame
    assert 472 / every <= len(fresh) < 472 / 2
    gaps = np.diff([r["frame"] for r in fresh])
    assert gaps.max() <= every
    for row in fresh:
        assert list(row["members"]) == list(FIVE)
        votes = Counter(v["label"] for v in row["members"].values())
        top = max(votes.values())
        assert votes[row["label_raw"]] == top  # the fused label is a most-voted one
    # between runs a track carries its last scores unchanged
    by_frame = {r["frame"]: r for r in faces}
    for row in faces:
        if not row["fresh"] and row["frame"] - 1 in by_frame and by_frame[row["frame"] - 1]["track"] == row["track"]:
            assert row["compound_raw"] == by_frame[row["frame"] - 1]["compound_raw"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["every"] == every
