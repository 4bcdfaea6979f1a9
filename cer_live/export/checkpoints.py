"""Reading torchvision checkpoints (plain state_dicts) and naming their architecture."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..errors import ExportError
from ..models.backends.torch_architectures import ARCHITECTURES, build, identify

# Keys saved from nn.DataParallel / DistributedDataParallel carry this prefix.
_WRAPPER_PREFIX = "module."
_REFERENCE_NAME = re.compile(r"^model(\d)\.pth?$")
_ARCH_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # ARCH=FILE, not a path holding '='


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    arch: str
    state: dict[str, torch.Tensor]


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise ExportError(
            f"checkpoint '{path}' does not exist; pass a .pth file saved with torch.save(model.state_dict())"
        )
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises pickle, zip and runtime errors alike
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(
            f"cannot read checkpoint '{path.name}' ({first[:160]}); it must be a state_dict saved with "
            "torch.save(model.state_dict(), path)"
        ) from exc
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]  # training scripts often wrap the weights with optimiser state
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ExportError(
            f"checkpoint '{path.name}' is not a state_dict of tensors; re-save it with torch.save(model.state_dict(), path)"
        )
    if obj and all(k.startswith(_WRAPPER_PREFIX) for k in obj):
        obj = {k[len(_WRAPPER_PREFIX) :]: v for k, v in obj.items()}
    return obj


def load_checkpoint(path: Path, arch: str | None = None) -> Checkpoint:
    """Read a checkpoint; its architecture comes from its keys unless `arch` is given."""
    state = read_state_dict(path)
    found = identify(state)
    if arch is None:
        if found is None:
            raise ExportError(
                f"checkpoint '{path.name}' matches none of {', '.join(ARCHITECTURES)}; "
                "name it with ARCH=PATH if it is one of them"
            )
        arch = found
    elif found is not None and found != arch:
        raise ExportError(f"checkpoint '{path.name}' holds a {found}, not a {arch}; fix the ARCH=PATH pairing")
    return Checkpoint(path=path, arch=arch, state=state)


def to_module(checkpoint: Checkpoint) -> nn.Module:
    model = build(checkpoint.arch)
    try:
        model.load_state_dict(checkpoint.state, strict=True)
    except RuntimeError as exc:
        detail = str(exc).strip().splitlines()
        raise ExportError(
            f"checkpoint '{checkpoint.path.name}' does not fit {checkpoint.arch} with the reference heads "
            f"({detail[1].strip() if len(detail) > 1 else detail[0]})"
        ) from exc
    return model.eval()


def reference_index(path: Path) -> int | None:
    """modelN.pth -> N, the reference recipe's naming; None for other names."""
    match = _REFERENCE_NAME.match(path.name)
    return int(match.group(1)) if match else None


def expand(paths: list[str]) -> list[tuple[str | None, Path]]:
    """CLI arguments -> (arch or None, path): ARCH=PATH pairs, files, or folders of modelN.pth."""
    out: list[tuple[str | None, Path]] = []
    for arg in paths:
        arch, sep, rest = arg.partition("=")
        if sep and arch in ARCHITECTURES:
            out.append((arch, Path(rest).expanduser()))
            continue
        path = Path(arg).expanduser()
        if sep and _ARCH_LIKE.fullmatch(arch) and not path.exists():
            raise ExportError(f"unknown architecture '{arch}' in '{arg}'; choose from {', '.join(ARCHITECTURES)}")
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if reference_index(p) is not None),
                key=lambda p: reference_index(p) or 0,
            )
            if not found:
                raise ExportError(f"folder '{path}' holds no model0.pth..model4.pth; pass the checkpoint files instead")
            out.extend((None, p) for p in found)
        else:
            out.append((None, path))
    return out
