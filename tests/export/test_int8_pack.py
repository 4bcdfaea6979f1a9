"""`cer-live packs quantize` on a tiny trained pack: INT8 members, agreement on held-out faces,
and `cer-live run` on them."""

import json

import pytest

from cer_live.export.calibration import collect
from cer_live.models.packs import load_pack
from cer_live.offline.example import tiny_toml
from tests.helpers import cli, read_jsonl
from tests.offline.conftest import faces64, label_set  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.torch, pytest.mark.slow]


@pytest.fixture(scope="module")
def tiny_pack(label_set, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("tiny8")
    config = root / "tiny.toml"
    config.write_text(tiny_toml(("mobilenet_v2", "resnet18"), epochs=2, size=64))
    done = cli(
        "train", str(label_set), "--config", str(config), "--out", str(root / "run"),
        "--export", "tiny", "--export-out", str(root / "engines"), "--no-export-fp16",
        timeout=900,
    )  # fmt: skip
    assert done.code == 0, done.stderr[-3000:]
    return root / "engines" / "tiny"


def test_held_out_faces_are_never_calibration_faces(tiny_pack, sample):
    sets = collect(load_pack(str(tiny_pack)), [sample("WolfgangLanger_Pexels.mp4"), sample("multi_face.jpg")], 60)
    assert len(sets.calibration.ids) >= 50 and len(sets.held_out.ids) >= 16
    assert not set(sets.calibration.ids) & set(sets.held_out.ids)
    assert sets.calibration.tensors[0].shape[1:] == (3, 64, 64)
    assert len(sets.held_out.tensors[0]) == len(sets.held_out.ids)
    # Held out in stretches of consecutive faces, not every n-th face beside a calibration one.
    held = set(sets.held_out.ids)
    ordered = sorted(set(sets.calibration.ids) | held, key=lambda f: (f.source, f.frame, f.face))
    flags = [f in held for f in ordered]
    stretches = sum(1 for i, flag in enumerate(flags) if flag and (i == 0 or not flags[i - 1]))
    assert stretches <= len(held) / 2


def test_quantize_a_trained_pack_then_run_it_in_int8(tiny_pack, sample, tmp_path):
    done = cli(
        "packs", "quantize", str(tiny_pack), "--calibration", str(sample("WolfgangLanger_Pexels.mp4")),
        str(sample("multi_face.jpg")), "--name", "tiny8", "--out", str(tmp_path), "--faces", "60",
        "--min-agreement", "0.9",
    )  # fmt: skip
    assert done.code == 0, done.stderr[-2000:]
    pack = load_pack(str(tmp_path / "tiny8"))
    assert all(m.int8 is not None for m in pack.members)
    manifest = pack.manifest
    for member in manifest["members"]:
        assert member["int8"]["agreement"]["top1_agreement"] >= 0.9
        assert member["int8"]["agreement"]["faces"] == manifest["int8"]["held_out"]["faces"]
    assert manifest["int8"]["fused"]["top1_agreement"] >= 0.9
    assert "fused label" in done.stdout
    run = cli(
        "run", str(sample("multi_face.jpg")), "--pack", str(pack.path), "--precision", "int8",
        "--out", str(tmp_path / "o"), "--no-video",
    )  # fmt: skip
    assert run.code == 0, run.stderr[-2000:]
    rows = [r for r in read_jsonl(tmp_path / "o" / "multi_face.jsonl") if r["type"] == "face"]
    assert rows and set(rows[0]["members"]) == {"mobilenet_v2", "resnet18"}
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]["precision"] == "int8"
