"""Inference backends behind one interface, chosen by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..errors import BackendError
from .base import Backend, BackendOptions, TensorSpec

# name -> (module, class, what to install when it is missing); imported lazily so that the
# runtime never pulls in an engine it does not use.
_REGISTRY: dict[str, tuple[str, str, str]] = {
    "onnxruntime": ("cer_live.backends.onnxruntime", "OnnxRuntimeBackend", "pip install onnxruntime"),
}
_AUTO_ORDER = ("onnxruntime",)


def available() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def _factory(name: str) -> Callable[..., Backend]:
    if name not in _REGISTRY:
        raise BackendError(f"unknown backend '{name}'; choose one of: {', '.join(_REGISTRY)}, auto")
    module, cls, install = _REGISTRY[name]
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        raise BackendError(f"backend '{name}' is not installed ({exc.name} missing): {install}") from exc


def create(name: str, model: bytes, options: BackendOptions, label: str = "model") -> Backend:
    """Load `model` (serialised ONNX bytes) on the named backend; 'auto' picks the first that loads."""
    if name == "auto":
        errors = []
        for candidate in _AUTO_ORDER:
            try:
                return _factory(candidate)(model, options, label)
            except BackendError as exc:
                errors.append(str(exc))
        raise BackendError("no backend could load the model: " + "; ".join(errors))
    return _factory(name)(model, options, label)


__all__ = ["Backend", "BackendOptions", "TensorSpec", "available", "create"]
