"""Class embeddings from descriptions, as EmoCLIP builds them.

A class embedding is the mean of its descriptions' normalised text embeddings, renormalised.
A compound class with rule "mean" is the normalised mean of its two basic class embeddings.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import ExportError
from .class_text import ClassSet, TextClass


def _unit(x: torch.Tensor) -> torch.Tensor:
    return x / x.norm(dim=-1, keepdim=True)


def encode_descriptions(model: torch.nn.Module, tokenizer, descriptions: list[str]) -> torch.Tensor:
    """(N, D) normalised text embeddings, float32."""
    context = getattr(tokenizer, "context_length", None)
    encode = getattr(tokenizer, "encode", None)
    if context and encode is not None:
        for text in descriptions:
            if len(encode(text)) + 2 > context:  # + start and end tokens
                raise ExportError(
                    f"the description '{text[:40]}...' is longer than the text encoder's {context} tokens; shorten it"
                )
    with torch.inference_mode():
        return _unit(model.encode_text(tokenizer(descriptions)).float())


def class_embeddings(model: torch.nn.Module, tokenizer, classes: ClassSet) -> dict[str, np.ndarray]:
    """Name -> unit-norm embedding (D,) float32, for every basic and compound class."""
    own = [c for c in (*classes.basic, *classes.compound) if c.rule == "descriptions"]
    texts = [d for c in own for d in c.descriptions]
    encoded = encode_descriptions(model, tokenizer, texts)  # one batch for all classes
    out: dict[str, torch.Tensor] = {}
    start = 0
    for c in own:
        n = len(c.descriptions)
        out[c.name] = _unit(encoded[start : start + n].mean(dim=0))
        start += n
    for c in classes.compound:
        if c.rule == "mean":
            out[c.name] = compound_by_mean(out, c)
    return {name: out[name].numpy().astype(np.float32) for name in (*classes.basic_names, *classes.compound_names)}


def compound_by_mean(embeddings: dict[str, torch.Tensor], compound: TextClass) -> torch.Tensor:
    """EmoCLIP's compound rule: the normalised mean of the two basic embeddings."""
    assert compound.of is not None
    a, b = (embeddings[name] for name in compound.of)
    return _unit((a + b) / 2)
