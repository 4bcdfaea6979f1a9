"""The reference recipe's loss: balanced cross-entropy + lambda * multi-class Dice."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def log_prior(counts: torch.Tensor | list[int]) -> torch.Tensor:
    """log of the class frequencies; a class with no example counts as one, so its log stays finite."""
    counts = torch.as_tensor(counts, dtype=torch.float64).clamp(min=1.0)
    return (counts / counts.sum()).log().float()


def balanced_ce(logits: torch.Tensor, target: torch.Tensor, prior_log: torch.Tensor, tau: float = 1.0) -> torch.Tensor:
    """Logit-adjusted CE: -log softmax(z + tau * log prior)[y], mean over the batch.

    Frequent classes get a head start in training, so the logits learn the balanced part;
    at inference the plain logits are used.
    """
    return F.cross_entropy(logits + tau * prior_log.to(logits), target)


def dice_from_probs(probs: torch.Tensor, onehot: torch.Tensor, smooth: float = 1.0) -> torch.Tensor:
    """Mean over the batch and the classes of 1 - (2py + s) / (p + y + s)."""
    return (1.0 - (2.0 * probs * onehot + smooth) / (probs + onehot + smooth)).mean()


def dice_loss(logits: torch.Tensor, target: torch.Tensor, smooth: float = 1.0) -> torch.Tensor:
    probs = logits.softmax(dim=1)
    return dice_from_probs(probs, F.one_hot(target, logits.shape[1]).to(probs), smooth)


class CompoundLoss(nn.Module):
    """BalCE(tau) + dice_weight * Dice, with priors from the training set's class counts."""

    def __init__(self, counts: list[int], tau: float = 1.0, dice_weight: float = 1.5) -> None:
        super().__init__()
        self.register_buffer("prior_log", log_prior(counts))
        self.tau = tau
        self.dice_weight = dice_weight

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return balanced_ce(logits, target, self.prior_log, self.tau) + self.dice_weight * dice_loss(logits, target)
