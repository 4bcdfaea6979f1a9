"""The reference augmentation and the test-time resize, on uint8 RGB tensors (C, H, W).

Colour jitter works in RGB (hue and saturation assume it); the channels are put in the
member's order (`colour`) only at the end, just before normalisation.
"""

from __future__ import annotations

import torch
from torchvision.transforms import v2

from .config import TrainConfig


class ChannelOrder(torch.nn.Module):
    def __init__(self, colour: str) -> None:
        super().__init__()
        self.flip = colour == "bgr"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flip(-3) if self.flip else x


def _finish(config: TrainConfig) -> list:
    return [
        v2.ToDtype(torch.float32, scale=True),
        ChannelOrder(config.colour),
        v2.Normalize(list(config.mean), list(config.std)),
    ]


def train_transform(config: TrainConfig) -> v2.Compose:
    a = config.augment
    steps: list = []
    if a.rotation > 0:
        steps.append(v2.RandomRotation(a.rotation))
    steps.append(v2.RandomResizedCrop(config.size, scale=a.scale, antialias=True))
    if a.flip:
        steps.append(v2.RandomHorizontalFlip())
    if any(a.jitter):
        steps.append(v2.ColorJitter(*a.jitter))
    return v2.Compose(steps + _finish(config))


def eval_transform(config: TrainConfig) -> v2.Compose:
    return v2.Compose([v2.Resize((config.size, config.size), antialias=True), *_finish(config)])
