"""Inference backends behind one interface, chosen by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ...errors import BackendError
from ...install import install_hint
from ..integrity import Verified, VerifiedBytes, VerifiedFile
from .base import Backend, BackendOptions, ModelSource, TensorSpec

# name -> (module, class, what to install when it is missing); imported lazily so that the
# runtime never pulls in an engine it does not use.
_REGISTRY: dict[str, tuple[str, str, str]] = {
    "onnxruntime": (
        "cer_live.models.backends.onnxruntime",
        "OnnxRuntimeBackend",
        f"pip install onnxruntime (CPU) or {install_hint('gpu')} (CUDA)",
    ),
    "tensorrt": (
        "cer_live.models.backends.tensorrt",
        "TensorRTBackend",
        "install NVIDIA TensorRT 10 for Python (pip install tensorrt from NVIDIA's package index, "
        "or the TensorRT tarball's wheel) and cuda-python, on a machine with an NVIDIA GPU",
    ),
    "torch": (
        "cer_live.models.backends.torch",
        "TorchBackend",
        f"{install_hint('train')} (torch and torchvision)",
    ),
}
ALIASES = {"ort": "onnxruntime", "trt": "tensorrt"}
# Best first: what 'auto' tries, per device kind.
_AUTO_ORDER = {
    "cpu": ("onnxruntime", "torch"),
    "cuda": ("tensorrt", "onnxruntime", "torch"),
}


def available() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def canonical(name: str) -> str:
    name = ALIASES.get(name, name)
    if name != "auto" and name not in _REGISTRY:
        choices = ", ".join([*_REGISTRY, *ALIASES, "auto"])
        raise BackendError(f"unknown backend '{name}'; choose one of: {choices}")
    return name


def _factory(name: str) -> Callable[..., Backend]:
    module, cls, install = _REGISTRY[name]
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        raise BackendError(f"backend '{name}' is not installed ({exc.name} missing): {install}") from exc


def create(name: str, model: bytes | Verified | ModelSource, options: BackendOptions, label: str = "model") -> Backend:
    """Load a model on the named backend; 'auto' picks the first that loads on the device."""
    if isinstance(model, bytes):
        model = VerifiedBytes(model, label)
    source = model if isinstance(model, ModelSource) else ModelSource(onnx=model, label=label)
    name = canonical(name)
    if name == "auto":
        errors = []
        kind = "cuda" if options.device.startswith("cuda") else "cpu"
        for candidate in _AUTO_ORDER[kind]:
            try:
                return _factory(candidate)(source, options)
            except BackendError as exc:
                errors.append(str(exc))
        raise BackendError(f"no backend could load {source.label}: " + "; ".join(errors))
    return _factory(name)(source, options)


__all__ = [
    "Backend",
    "BackendOptions",
    "ModelSource",
    "TensorSpec",
    "Verified",
    "VerifiedBytes",
    "VerifiedFile",
    "available",
    "canonical",
    "create",
]
