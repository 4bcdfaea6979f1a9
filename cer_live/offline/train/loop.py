"""One epoch of training and one pass of validation for every member on the same batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader

from ..errors import TrainError
from ..metrics import NUM_CLASSES, Scores
from .distributed import Dist, all_sum

Tick = Callable[[], None]


@dataclass
class MemberRun:
    """A member in training: mutable by nature (weights, optimiser, best so far)."""

    arch: str
    model: nn.Module  # wrapped in DistributedDataParallel under torchrun
    optimizer: torch.optim.Optimizer
    best_f1: float = -1.0
    best_epoch: int = 0

    @property
    def plain(self) -> nn.Module:
        return getattr(self.model, "module", self.model)


def train_epoch(
    runs: list[MemberRun], loader: DataLoader, loss_fn: nn.Module, dist: Dist, epoch: int, tick: Tick
) -> dict[str, float]:
    """Mean training loss per member over every rank's images."""
    for run in runs:
        run.model.train()
    # Summed on the device: reading a loss back every step would stall a GPU.
    sums = torch.zeros(len(runs) + 1, dtype=torch.float64, device=dist.device)
    for images, labels in loader:
        images = images.to(dist.device, non_blocking=True)
        labels = labels.to(dist.device, non_blocking=True)
        for i, run in enumerate(runs):
            loss = loss_fn(run.model(images), labels)
            run.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            run.optimizer.step()
            sums[i] += loss.detach().double() * len(labels)
        sums[-1] += len(labels)
        tick()
    sums = all_sum(dist, sums).cpu()
    means = {run.arch: float(sums[i] / max(sums[-1], 1)) for i, run in enumerate(runs)}
    for arch, value in means.items():
        if not torch.isfinite(torch.tensor(value)):
            raise TrainError(f"{arch}: the loss is not finite in epoch {epoch}; lower --lr or check the data")
    return means


def validate(
    runs: list[MemberRun], loader: DataLoader, loss_fn: nn.Module, dist: Dist, tick: Tick
) -> dict[str, tuple[float, Scores]]:
    """(mean loss, scores) per member; each rank scores its shard, the sums are shared."""
    for run in runs:
        run.model.eval()
    matrices = torch.zeros(len(runs), NUM_CLASSES, NUM_CLASSES, dtype=torch.int64)
    sums = torch.zeros(len(runs) + 1, dtype=torch.float64)
    with torch.inference_mode():
        for images, labels in loader:
            images = images.to(dist.device, non_blocking=True)
            labels = labels.to(dist.device, non_blocking=True)
            for i, run in enumerate(runs):
                logits = run.plain(images)  # the bare module: no gradient sync while scoring
                sums[i] += loss_fn(logits, labels).item() * len(labels)
                pred = logits.argmax(1)
                matrices[i].view(-1).index_add_(0, (labels * NUM_CLASSES + pred).cpu(), torch.ones_like(pred.cpu()))
            sums[-1] += len(labels)
            tick()
    matrices = all_sum(dist, matrices.to(dist.device)).cpu()
    sums = all_sum(dist, sums.to(dist.device)).cpu()
    return {
        run.arch: (float(sums[i] / max(sums[-1], 1)), Scores.from_confusion(matrices[i].numpy()))
        for i, run in enumerate(runs)
    }
