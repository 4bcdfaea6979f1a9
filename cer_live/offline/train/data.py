"""Labelled crops as a torch Dataset, and the loaders (DistributedSampler under torchrun)."""

from __future__ import annotations

import cv2
import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from ..datasets.items import LabelledSet
from ..errors import DatasetError
from .distributed import Dist


class CropDataset(Dataset):
    def __init__(self, data: LabelledSet, transform: torch.nn.Module) -> None:
        self.items = data.items
        self.transform = transform

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        item = self.items[index]
        image = cv2.imread(str(item.path), cv2.IMREAD_COLOR)
        if image is None:  # checked before training; a file changed under us
            raise DatasetError(f"image '{item.path}' became unreadable during training")
        rgb = torch.from_numpy(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).permute(2, 0, 1).contiguous()
        return self.transform(rgb), item.label


def train_loader(data: CropDataset, batch: int, workers: int, seed: int, epoch: int, dist: Dist) -> DataLoader:
    """Order and augmentation depend on (seed, epoch, rank) only, so a resumed epoch is the same epoch."""
    generator = torch.Generator().manual_seed(seed * 100_003 + epoch * 101 + dist.rank)
    sampler = None
    if dist.world > 1:
        sampler = DistributedSampler(data, dist.world, dist.rank, shuffle=True, seed=seed, drop_last=True)
        sampler.set_epoch(epoch)
    return DataLoader(
        data,
        batch_size=batch,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=workers,
        generator=generator,
        drop_last=(len(data) // dist.world) % batch == 1,  # BatchNorm cannot train on a batch of one
        pin_memory=dist.device.type == "cuda",
        persistent_workers=False,
    )


def eval_loader(data: CropDataset, batch: int, workers: int, dist: Dist) -> DataLoader:
    """Each rank scores every world-th item; confusion matrices are summed across ranks."""
    shard = torch.utils.data.Subset(data, range(dist.rank, len(data), dist.world))
    return DataLoader(
        shard, batch_size=batch, shuffle=False, num_workers=workers, pin_memory=dist.device.type == "cuda"
    )
