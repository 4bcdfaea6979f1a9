"""A compound member may give basic probabilities as a second output (`output.basic_classes`)."""

import json
import shutil

import numpy as np
import pytest

from cer_live.classes import BASIC_CLASSES, COMPOUND_CLASSES
from cer_live.errors import PackError
from cer_live.messages import Detection
from cer_live.models.ensemble import Ensemble
from cer_live.models.packs import find_pack, load_pack, sha256

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

COMPOUND = np.linspace(1, 7, 7, dtype=np.float32) / 28  # sums to 1
BASIC_ORDER = ["sad", "happy", "angry"]  # a subset, in an order of its own
BASIC = np.array([0.2, 0.5, 0.3], np.float32)


def _two_output_model() -> bytes:
    """Gray 64x64 in; constant compound and basic probabilities out, one row per face."""
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["m"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Unsqueeze", ["m", "one"], ["col"]),
        helper.make_node("Mul", ["col", "zero"], ["z"]),
        helper.make_node("Add", ["z", "c"], ["probabilities"]),
        helper.make_node("Add", ["z", "b"], ["basic_probabilities"]),
    ]
    inits = [
        helper.make_tensor("one", TensorProto.INT64, [1], [1]),
        helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor("c", TensorProto.FLOAT, [1, 7], COMPOUND[::-1].tolist()),
        helper.make_tensor("b", TensorProto.FLOAT, [1, 3], BASIC.tolist()),
    ]
    graph = helper.make_graph(
        nodes,
        "two_outputs",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 64, 64])],
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 7]),
            helper.make_tensor_value_info("basic_probabilities", TensorProto.FLOAT, ["batch", 3]),
        ],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


@pytest.fixture
def two_output_pack(tmp_path):
    pack = tmp_path / "two"
    shutil.copytree(find_pack("default"), pack)
    data = _two_output_model()
    (pack / "two.onnx").write_bytes(data)
    manifest = json.loads((pack / "pack.json").read_text())
    member = manifest["members"][0]
    member.update(name="two", file="two.onnx", sha256=sha256(data))
    member["output"] = {
        "kind": "compound_probabilities",
        "classes": list(COMPOUND_CLASSES[::-1]),
        "basic_classes": BASIC_ORDER,
    }
    (pack / "pack.json").write_text(json.dumps(manifest))
    return pack


def test_second_output_becomes_the_basic_probabilities_in_canonical_order(two_output_pack):
    ensemble = Ensemble(load_pack(str(two_output_pack)), backend="onnxruntime")
    image = np.full((120, 160, 3), 128, np.uint8)
    face = Detection((40, 20, 100, 100), 0.9, ((60, 50), (80, 50), (70, 65), (62, 80), (78, 80)))
    faces, _ = ensemble.score(image, (face, face))
    ensemble.close()
    want = np.zeros(len(BASIC_CLASSES), np.float32)
    for name, p in zip(BASIC_ORDER, BASIC, strict=True):
        want[BASIC_CLASSES.index(name)] = p
    assert len(faces) == 2
    for scores in faces:
        np.testing.assert_allclose(scores.compound, COMPOUND, atol=1e-7)  # reordered by name
        np.testing.assert_allclose(scores.basic, want, atol=1e-7)  # classes it lacks read 0


@pytest.mark.parametrize(
    ("basic_classes", "kind"),
    [(["joy"], "compound_probabilities"), (["happy"], "basic_probabilities")],
)
def test_basic_classes_are_checked(two_output_pack, basic_classes, kind):
    manifest = json.loads((two_output_pack / "pack.json").read_text())
    output = manifest["members"][0]["output"]
    output["basic_classes"] = basic_classes
    if kind == "basic_probabilities":
        output.update(kind=kind, classes=list(BASIC_CLASSES))
    (two_output_pack / "pack.json").write_text(json.dumps(manifest))
    with pytest.raises(PackError, match="output.basic_classes"):
        load_pack(str(two_output_pack))
