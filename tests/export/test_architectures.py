import pytest
import torch

from cer_live.models.backends.torch_architectures import (
    ARCHITECTURES,
    REFERENCE_ORDER,
    build,
    identify,
)

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_heads_match_the_reference_recipe_and_keys_name_the_architecture(arch):
    model = build(arch).eval()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    widths = [(m.in_features, m.out_features) for m in linears]
    expected = {
        "mobilenet_v2": [(1280, 7)],
        "resnet18": [(512, 256), (256, 7)],
        "resnet152": [(2048, 256), (256, 7)],
        "densenet121": [(1024, 500), (500, 7)],
        "densenet201": [(1920, 500), (500, 7)],
    }[arch]
    assert widths == expected
    dropouts = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    assert dropouts[-1] == (0.2 if arch == "mobilenet_v2" else 0.4)
    assert identify(model.state_dict()) == arch
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 224, 224)).shape == (1, 7)


def test_reference_order_and_unknown_keys():
    assert sorted(REFERENCE_ORDER) == sorted(ARCHITECTURES)
    assert identify({"conv.weight": torch.zeros(1)}) is None
