"""CLIP's image tower plus fixed class embeddings: face crop -> class probabilities, one module.

forward: image embedding, normalised; cosine similarity with each class embedding; times the
model's logit scale; softmax. With compound classes a second output gives the basic classes'
probabilities from the same image embedding.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

OUTPUTS = ("probabilities", "basic_probabilities")


class TextClassHead(nn.Module):
    def __init__(
        self,
        visual: nn.Module,
        logit_scale: float,
        classes: np.ndarray,
        basic: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.visual = visual
        self.register_buffer("scale", torch.tensor(float(logit_scale)))
        self.register_buffer("classes", torch.from_numpy(np.ascontiguousarray(classes, np.float32)))
        self.two = basic is not None
        self.register_buffer(
            "basic", torch.from_numpy(np.ascontiguousarray(basic if basic is not None else classes, np.float32))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        image = self.visual(x)
        image = image / image.norm(dim=-1, keepdim=True)
        probs = torch.softmax(self.scale * image @ self.classes.T, dim=-1)
        if not self.two:
            return probs
        return probs, torch.softmax(self.scale * image @ self.basic.T, dim=-1)
