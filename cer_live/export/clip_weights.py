"""A CLIP model from local weights only: open_clip builds the architecture, the file fills it.

Nothing is downloaded: the model is created without pretrained weights and the state dict is
read from the user's file (an open_clip or OpenAI state dict, an open_clip training checkpoint,
safetensors, or OpenAI's TorchScript archive), then loaded strictly so that a wrong
architecture or a partial file fails instead of leaving random weights in place.
"""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import torch

from ..errors import ExportError

# TorchScript archives carry these as buffers; open_clip's CLIP has no such entries.
_JIT_EXTRAS = ("input_resolution", "context_length", "vocab_size")


def create_clip(arch: str) -> torch.nn.Module:
    """The architecture with random weights (no download), in eval mode."""
    import open_clip

    if arch not in open_clip.list_models():
        raise ExportError(f"unknown --clip '{arch}'; choose an open_clip architecture, e.g. ViT-B-32 or ViT-B-16")
    # Hugging Face text towers would fetch their own weights at creation; nothing may be fetched here.
    # open_clip warns that no pretrained weights were loaded: true, and misleading, as ours come next.
    logging.disable(logging.WARNING)
    try:
        model = open_clip.create_model(arch, pretrained=None, pretrained_image=False, pretrained_text=False)
    except Exception as exc:  # e.g. a Hugging Face text tower whose config is not cached locally
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ExportError(
            f"cannot build {arch} offline ({first}); choose an OpenAI-style CLIP such as ViT-B-32"
        ) from exc
    finally:
        logging.disable(logging.NOTSET)
    return model.eval()


def load_clip(arch: str, weights: Path, prefix: str = "") -> torch.nn.Module:
    """`arch` filled with the weights in `weights` (keys under `prefix` only, prefix removed)."""
    if not weights.is_file():
        raise ExportError(f"--weights '{weights}' does not exist; pass the CLIP weights file")
    model = create_clip(arch)
    state = _select(read_state_dict(weights), prefix, weights)
    if "logit_scale" in state and state["logit_scale"].ndim != model.logit_scale.ndim:
        state["logit_scale"] = state["logit_scale"].reshape(model.logit_scale.shape)
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # same names, other shapes: another size of the architecture
        first = str(exc).strip().splitlines()[-1].strip()
        raise ExportError(
            f"--weights '{weights.name}' does not fit {arch} ({first}); check --clip, or --prefix for a wrapped model"
        ) from exc
    if missing or unexpected:
        raise ExportError(
            f"--weights '{weights.name}' does not fit {arch}: {len(missing)} missing key(s) (e.g. {missing[:2]}), "
            f"{len(unexpected)} unexpected (e.g. {unexpected[:2]}); check --clip, or --prefix for a wrapped model"
        )
    return model.eval()


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Tensors by name; pickles are read with weights_only (no code runs)."""
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return dict(load_file(str(path)))
        try:
            data = torch.load(path, map_location="cpu", weights_only=True)
        except RuntimeError as exc:
            if "TorchScript" not in str(exc):
                raise
            # OpenAI's own CLIP files are TorchScript archives; their parameters are what we need.
            data = torch.jit.load(str(path), map_location="cpu").state_dict()
    except pickle.UnpicklingError as exc:
        raise ExportError(
            f"cannot read --weights '{path.name}': not a weights file, or one holding Python objects "
            "(not loaded, as loading them would run code); pass a CLIP state dict"
        ) from exc
    except Exception as exc:  # torch raises many types for a file that is not weights
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ExportError(f"cannot read --weights '{path.name}' ({first}); pass a CLIP state dict") from exc
    for key in ("state_dict", "model", "module"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]  # training checkpoints wrap the state dict
    if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise ExportError(f"--weights '{path.name}' holds no state dict of tensors; pass a CLIP state dict")
    return data


def _select(state: dict[str, torch.Tensor], prefix: str, path: Path) -> dict[str, torch.Tensor]:
    if prefix:
        picked = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
        if not picked:
            raise ExportError(f"no key of --weights '{path.name}' starts with --prefix '{prefix}'")
        state = picked
    elif state and all(k.startswith("module.") for k in state):
        state = {k[len("module.") :]: v for k, v in state.items()}  # saved from DistributedDataParallel
    return {k: v for k, v in state.items() if k not in _JIT_EXTRAS}
