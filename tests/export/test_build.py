"""Export of untrained members: ONNX with dynamic batch, metadata, FP16, fused graph, a valid pack."""

import json

import numpy as np
import onnx
import pytest
import torch

from cer_live.classes import COMPOUND_CLASSES
from cer_live.errors import ExportError
from cer_live.export.build import ExportOptions, MemberInput, export_pack
from cer_live.export.random_init import random_member
from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.backends.torch_architectures import build
from cer_live.models.packs import load_pack

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("engines")
    members = [
        MemberInput("mobilenet_v2", "mobilenet_v2", seed=3),
        MemberInput("resnet18", "resnet18", seed=4),
    ]
    return export_pack(members, ExportOptions(name="small", out_root=root, fused=True))


def test_members_export_with_dynamic_batch_metadata_and_checker(small_pack):
    pack = load_pack(str(small_pack.path))
    assert [m.name for m in pack.members] == ["mobilenet_v2", "resnet18"]
    for spec in pack.members:
        proto = onnx.load_from_string(spec.model.read())
        onnx.checker.check_model(proto, full_check=True)
        assert max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) >= 17
        meta = {p.key: p.value for p in proto.metadata_props}
        assert meta["member"] == spec.name and meta["arch"] == spec.torch_arch
        assert meta["classes"].split(",") == list(COMPOUND_CLASSES)
        assert meta["input_size"] == "224x224" and meta["mean"] == "0.367,0.411,0.507" and meta["std"] == "1.0,1.0,1.0"
        assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
        # the pack's torch weights reproduce the ONNX at batch 1 and batch 8
        model = build(spec.torch_arch)
        model.load_state_dict(torch.load(spec.torch_weights.path, weights_only=True))
        model.eval()
        engine = backends.create("onnxruntime", spec.model, BackendOptions(threads=2))
        for batch in (1, 8):
            x = np.random.default_rng(batch).normal(0, 0.25, (batch, 3, 224, 224)).astype(np.float32)
            got = engine.infer(x)[0]
            with torch.no_grad():
                want = model(torch.from_numpy(x)).numpy()
            assert got.shape == (batch, 7)
            assert np.abs(got - want).max() < 1e-3


def test_fp16_variant_keeps_float32_io_and_halves_the_file(small_pack):
    for spec in load_pack(str(small_pack.path)).members:
        half = onnx.load_from_string(spec.fp16.read())
        onnx.checker.check_model(half, full_check=True)
        assert half.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
        assert half.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
        assert {p.key: p.value for p in half.metadata_props}["precision"] == "fp16"
        assert spec.fp16.path.stat().st_size < 0.6 * len(spec.model.read())


def test_fused_graph_gives_each_member_its_own_output(small_pack):
    manifest = json.loads((small_pack.path / "pack.json").read_text())
    fused = backends.create(
        "onnxruntime",
        (small_pack.path / manifest["fused"]["file"]).read_bytes(),
        BackendOptions(threads=2),
    )
    x = np.random.default_rng(0).normal(0, 0.25, (3, 3, 224, 224)).astype(np.float32)
    outs = fused.infer(x)
    assert [o.name for o in fused.outputs] == ["mobilenet_v2/logits", "resnet18/logits"]
    for spec, out in zip(load_pack(str(small_pack.path)).members, outs, strict=False):
        alone = backends.create("onnxruntime", spec.model, BackendOptions(threads=2)).infer(x)[0]
        assert np.abs(out - alone).max() < 1e-5


def test_parity_figures_are_recorded_per_member(small_pack):
    manifest = json.loads((small_pack.path / "pack.json").read_text())
    for entry in manifest["members"]:
        fp32 = entry["verification"]["fp32"]
        assert fp32["faces"] >= 64 and fp32["max_abs_diff"] <= 1e-4 and fp32["top1_agreement"] == 1.0
        assert entry["verification"]["fp16"]["enforced"] is False  # untrained
        assert entry["trained"] is False and "untrained" in entry["source"]
    assert "UNTRAINED" in manifest["description"]
    assert manifest["producer"].startswith("cer-live")


def test_an_existing_pack_is_not_overwritten_without_force(small_pack):
    with pytest.raises(ExportError, match="exists; choose another --name or pass --force"):
        export_pack(
            [MemberInput("resnet18", "resnet18")],
            ExportOptions(name="small", out_root=small_pack.path.parent),
        )


def test_untrained_members_are_calibrated_to_a_sane_scale():
    x = np.random.default_rng(0).normal(0, 0.25, (16, 3, 224, 224)).astype(np.float32)
    model = random_member("resnet152", 0, x)
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
    assert float(logits.abs().max()) < 100  # uncalibrated, a random resnet152 reaches ~1e7
