"""Members and their starting weights: ImageNet from a file, offline 'auto', stage-1 init."""

import time

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

from cer_live.offline.errors import TrainError  # noqa: E402
from cer_live.offline.train import models  # noqa: E402

pytestmark = pytest.mark.torch


def test_pretrained_file_loads_the_backbone_and_leaves_the_head(tmp_path):
    reference = torchvision.models.resnet18(weights=None)  # torchvision's own layout, as its files hold
    path = tmp_path / "resnet18-f37072fd.pth"
    torch.save(reference.state_dict(), path)
    model = models.build_member("resnet18", str(tmp_path))  # a folder: found by torchvision's file name
    assert torch.equal(model.layer4[1].conv2.weight, reference.layer4[1].conv2.weight)
    assert torch.equal(model.bn1.running_var, reference.bn1.running_var)
    assert model.fc[0].out_features == 256  # the reference head, not ImageNet's


def test_pretrained_file_of_another_architecture_is_refused(tmp_path):
    path = tmp_path / "mobilenet.pth"
    torch.save(torchvision.models.mobilenet_v2(weights=None).state_dict(), path)
    with pytest.raises(TrainError, match="does not hold ImageNet resnet18 weights"):
        models.build_member("resnet18", str(path))


def test_auto_offline_says_so_in_one_line_quickly(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # an empty cache
    # A host that refuses at once stands for a machine without the download server.
    monkeypatch.setattr(models, "imagenet_url", lambda arch: "https://127.0.0.1/models/nothing.pth")
    t0 = time.perf_counter()
    with pytest.raises(TrainError) as caught:
        models.build_member("mobilenet_v2", "auto")
    assert time.perf_counter() - t0 < models.PROBE_SECONDS + 1
    message = str(caught.value)
    assert "\n" not in message and "--pretrained none" in message and "cannot be reached" in message


def test_init_needs_a_checkpoint_per_member(tmp_path):
    with pytest.raises(TrainError, match="has no resnet18.pth"):
        models.load_init(models.build_member("resnet18", "none"), "resnet18", tmp_path)
