"""The five torchvision CNNs of the reference recipe, with its classification heads.

Needs torch and torchvision (the `train` extra); the runtime never imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torchvision
from torch import nn

from ...errors import ExportError

NUM_CLASSES = 7


def _mobilenet_v2() -> nn.Module:
    model = torchvision.models.mobilenet_v2(weights=None)
    model.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, NUM_CLASSES))
    return model


def _with_head(builder: Callable[..., nn.Module], attr: str, hidden: int) -> Callable[[], nn.Module]:
    """The recipe's head for resnets (attr 'fc', 256 hidden) and densenets ('classifier', 500)."""

    def build() -> nn.Module:
        model = builder(weights=None)
        width = getattr(model, attr).in_features
        head = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(0.4), nn.Linear(hidden, NUM_CLASSES))
        setattr(model, attr, head)
        return model

    return build


@dataclass(frozen=True)
class Architecture:
    name: str
    build: Callable[[], nn.Module]
    # A state_dict key only this architecture has, so that a checkpoint names its own
    # architecture whatever its file is called.
    marker: str
    not_marker: str | None = None


ARCHITECTURES: dict[str, Architecture] = {
    a.name: a
    for a in (
        Architecture("mobilenet_v2", _mobilenet_v2, "features.18.0.weight"),
        Architecture(
            "resnet18",
            _with_head(torchvision.models.resnet18, "fc", 256),
            "layer1.0.conv1.weight",
            "layer1.0.conv3.weight",
        ),
        Architecture("resnet152", _with_head(torchvision.models.resnet152, "fc", 256), "layer3.35.conv3.weight"),
        Architecture(
            "densenet121",
            _with_head(torchvision.models.densenet121, "classifier", 500),
            "features.denseblock4.denselayer16.conv1.weight",
            "features.denseblock4.denselayer17.conv1.weight",
        ),
        Architecture(
            "densenet201",
            _with_head(torchvision.models.densenet201, "classifier", 500),
            "features.denseblock4.denselayer32.conv1.weight",
        ),
    )
}

# The order the reference recipe lists (and numbers) its members: model0.pth is mobilenet_v2.
REFERENCE_ORDER = (
    "mobilenet_v2",
    "resnet152",
    "densenet121",
    "resnet18",
    "densenet201",
)


def build(name: str) -> nn.Module:
    if name not in ARCHITECTURES:
        raise ExportError(f"unknown architecture '{name}'; choose from {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name].build()


def identify(state: Mapping[str, object]) -> str | None:
    """The architecture a state_dict belongs to, from its keys; None when none matches."""
    found = [
        a.name
        for a in ARCHITECTURES.values()
        if a.marker in state and (a.not_marker is None or a.not_marker not in state)
    ]
    return found[0] if len(found) == 1 else None
