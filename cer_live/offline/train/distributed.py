"""torch.distributed under torchrun: rank, world, device; one process runs as rank 0 of 1."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as tdist

from ..errors import TrainError


@dataclass(frozen=True)
class Dist:
    rank: int
    world: int
    local_rank: int
    device: torch.device

    @property
    def main(self) -> bool:
        """Only the main process writes checkpoints, logs and progress."""
        return self.rank == 0


def _device(preference: str, local_rank: int) -> torch.device:
    if preference == "auto":
        return torch.device(f"cuda:{local_rank}") if torch.cuda.is_available() else torch.device("cpu")
    if preference.startswith("cuda") and not torch.cuda.is_available():
        raise TrainError(f"--device {preference}: torch sees no CUDA GPU; pass --device cpu")
    if preference == "cuda":
        return torch.device(f"cuda:{local_rank}")
    try:
        return torch.device(preference)
    except RuntimeError:
        raise TrainError(f"bad --device '{preference}'; give auto, cpu, cuda or cuda:N") from None


def setup(preference: str) -> Dist:
    """torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK) when present, else one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = _device(preference, local_rank)
    if world > 1 and not tdist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        tdist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Dist(rank, world, local_rank, device)


def barrier(dist: Dist) -> None:
    if dist.world > 1:
        tdist.barrier()


def all_sum(dist: Dist, tensor: torch.Tensor) -> torch.Tensor:
    if dist.world > 1:
        tdist.all_reduce(tensor, op=tdist.ReduceOp.SUM)
    return tensor


def teardown(dist: Dist) -> None:
    if dist.world > 1 and tdist.is_initialized():
        tdist.destroy_process_group()
