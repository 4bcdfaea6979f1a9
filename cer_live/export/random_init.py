"""Untrained members for exercising the export and runtime machinery without checkpoints.

Random weights alone give wild activations (a random resnet152's logits reach 1e7, far past
the FP16 range), because batch-norm statistics stay at their defaults. Re-estimating those
statistics on real faces gives each layer a realistic scale, as a trained network has. The
last layer is then scaled so that logits spread like a trained classifier's (std LOGIT_STD):
random heads otherwise give near-uniform softmax outputs whose top-1 flips on rounding noise,
which would make FP16 parity figures meaningless.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models.backends.torch_architectures import build

LOGIT_STD = 3.0


def random_member(arch: str, seed: int, calibration: np.ndarray | None = None, batch: int = 16) -> nn.Module:
    torch.manual_seed(seed)
    model = build(arch)
    if calibration is not None and len(calibration):
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
                module.momentum = None  # a cumulative average over the calibration batches
        model.train()
        with torch.no_grad():
            for i in range(0, len(calibration), batch):
                chunk = calibration[i : i + batch]
                if len(chunk) > 1:  # batch norm cannot estimate a variance from one sample
                    model(torch.from_numpy(chunk))
        model.eval()
        with torch.no_grad():
            logits = torch.cat(
                [model(torch.from_numpy(calibration[i : i + batch])) for i in range(0, len(calibration), batch)]
            )
            head = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
            scale = LOGIT_STD / max(float(logits.std()), 1e-6)
            head.weight.mul_(scale)
            head.bias.mul_(scale)
    return model.eval()
