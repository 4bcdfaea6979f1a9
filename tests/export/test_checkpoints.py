import pytest
import torch

from cer_live.errors import ExportError
from cer_live.export.checkpoints import expand, load_checkpoint, to_module
from cer_live.models.backends.torch_architectures import build

pytestmark = pytest.mark.torch


def _trained_like(arch: str, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = build(arch).eval()
    with torch.no_grad():  # not the default init, so that a silent re-init would show
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.01)
    return model


def test_reference_folder_round_trip(tmp_path):
    """model0.pth..model4.pth as the reference recipe saves them (plain, DataParallel, wrapped)."""
    originals = {
        "mobilenet_v2": _trained_like("mobilenet_v2", 1),
        "resnet18": _trained_like("resnet18", 2),
    }
    torch.save(originals["mobilenet_v2"].state_dict(), tmp_path / "model0.pth")
    wrapped = {f"module.{k}": v for k, v in originals["resnet18"].state_dict().items()}
    torch.save({"state_dict": wrapped, "epoch": 3}, tmp_path / "model3.pth")
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    found = expand([str(tmp_path)])
    assert [p.name for _, p in found] == ["model0.pth", "model3.pth"]
    x = torch.rand(2, 3, 224, 224)
    for arch_hint, path in found:
        ckpt = load_checkpoint(path, arch_hint)
        model = to_module(ckpt)
        with torch.no_grad():
            assert torch.equal(model(x), originals[ckpt.arch](x))


def test_bad_checkpoints_get_one_line_errors(tmp_path):
    good = tmp_path / "model1.pth"
    torch.save(build("resnet18").state_dict(), good)
    with pytest.raises(ExportError, match="holds a resnet18, not a densenet121"):
        load_checkpoint(good, "densenet121")
    with pytest.raises(ExportError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pth")
    corrupt = tmp_path / "corrupt.pth"
    corrupt.write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(ExportError, match="cannot read checkpoint 'corrupt.pth'"):
        load_checkpoint(corrupt)
    odd = tmp_path / "odd.pth"
    torch.save({"conv.weight": torch.zeros(3)}, odd)
    with pytest.raises(ExportError, match="matches none of"):
        load_checkpoint(odd)
    headless = tmp_path / "headless.pth"
    state = build("resnet18").state_dict()
    state["fc.3.weight"] = torch.zeros(11, 256)  # an 11-class head: the wrong task
    torch.save(state, headless)
    with pytest.raises(ExportError, match="does not fit resnet18"):
        to_module(load_checkpoint(headless))
    with pytest.raises(ExportError, match="no model0.pth"):
        expand([str(tmp_path / "empty")]) if (tmp_path / "empty").mkdir() is None else None
