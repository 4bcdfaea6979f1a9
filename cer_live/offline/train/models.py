"""The five members (the export's own architectures and heads) and their starting weights."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path
from urllib.parse import urlparse

import torch
import torchvision
from torch import nn

from ...export.checkpoints import read_state_dict
from ...models.backends.torch_architectures import ARCHITECTURES, build
from ..errors import TrainError

log = logging.getLogger(__name__)
PROBE_SECONDS = 3.0
# Old torchvision densenet files name 'norm.1' what the modules call 'norm1'.
_DENSENET_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def check_archs(archs: tuple[str, ...]) -> None:
    unknown = [a for a in archs if a not in ARCHITECTURES]
    if unknown:
        raise TrainError(f"unknown architecture(s) {unknown}; choose from {', '.join(ARCHITECTURES)}")


def imagenet_url(arch: str) -> str:
    return torchvision.models.get_model_weights(arch).IMAGENET1K_V1.url


def _head_prefix(arch: str) -> str:
    return "fc." if arch.startswith("resnet") else "classifier."


def load_backbone(model: nn.Module, arch: str, state: dict[str, torch.Tensor], origin: str) -> None:
    """Every weight but the head's; a missing backbone weight is an error, not a silent skip."""
    state = {_DENSENET_KEY.sub(r"\1\2", k): v for k, v in state.items()}
    own = model.state_dict()
    head = _head_prefix(arch)
    wanted = [k for k in own if not k.startswith(head)]
    bad = [k for k in wanted if k not in state or state[k].shape != own[k].shape]
    if bad:
        raise TrainError(
            f"{origin} does not hold ImageNet {arch} weights ({len(bad)} missing or mis-shaped, e.g. '{bad[0]}'); "
            "pass torchvision's file for this architecture or --pretrained none"
        )
    model.load_state_dict({k: state[k] for k in wanted}, strict=False)


def _from_path(arch: str, path: Path) -> tuple[dict[str, torch.Tensor], str]:
    if path.is_dir():
        candidates = [path / Path(urlparse(imagenet_url(arch)).path).name, path / f"{arch}.pth"]
        found = [p for p in candidates if p.is_file()]
        if not found:
            raise TrainError(f"--pretrained folder '{path}' holds neither {candidates[0].name} nor {arch}.pth")
        path = found[0]
    return read_state_dict(path), str(path)


def fetch_imagenet(arch: str) -> tuple[dict[str, torch.Tensor], str]:
    """torchvision's ImageNet weights from the cache, else downloaded; offline: one clear error."""
    url = imagenet_url(arch)
    cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(url).path).name
    if not cached.is_file():
        host = urlparse(url).hostname or ""
        try:
            socket.create_connection((host, 443), timeout=PROBE_SECONDS).close()
        except OSError:
            raise TrainError(
                f"ImageNet weights for {arch} are not cached and {host} cannot be reached (offline?); "
                "pass --pretrained none to train from scratch, or --pretrained PATH (torchvision's .pth files)"
            ) from None
        log.info("downloading ImageNet weights for %s", arch)
        torch.hub.load_state_dict_from_url(url, progress=False, check_hash=True, map_location="cpu")
    return read_state_dict(cached), str(cached)


def build_member(arch: str, pretrained: str) -> nn.Module:
    """A member with the reference head; `pretrained` is 'none', 'auto' or a file/folder."""
    model = build(arch)
    if pretrained == "none":
        return model
    state, origin = fetch_imagenet(arch) if pretrained == "auto" else _from_path(arch, Path(pretrained).expanduser())
    load_backbone(model, arch, state, origin)
    return model


def load_init(model: nn.Module, arch: str, run: Path) -> None:
    """Stage 2: every weight, head included, from a stage-1 run's best checkpoint."""
    path = run / f"{arch}.pth"
    if not path.is_file():
        raise TrainError(f"--init run '{run}' has no {arch}.pth; train {arch} in stage 1 or drop it from --arch")
    try:
        model.load_state_dict(read_state_dict(path), strict=True)
    except RuntimeError as exc:
        raise TrainError(
            f"'{path}' does not fit {arch} with the reference heads ({str(exc).splitlines()[0]})"
        ) from None
