"""Reading a Keras 2 HDF5 model file (config and weights) with h5py alone.

Only the layer types found in small classification CNNs are understood; anything else is
refused by name rather than silently skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SUPPORTED = {
    "InputLayer",
    "Conv2D",
    "SeparableConv2D",
    "BatchNormalization",
    "Activation",
    "MaxPooling2D",
    "Add",
    "GlobalAveragePooling2D",
}


@dataclass(frozen=True)
class KerasLayer:
    kind: str
    name: str
    config: dict[str, Any]
    inputs: tuple[str, ...]
    weights: dict[str, np.ndarray]  # short names: kernel, bias, gamma, depthwise_kernel, ...


@dataclass(frozen=True)
class KerasModel:
    layers: tuple[KerasLayer, ...]
    input_shape: tuple[int, ...]  # (H, W, C), no batch
    output: str
    keras_version: str


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1].split(":")[0]


def read_keras_h5(path: Path) -> KerasModel:
    import h5py

    with h5py.File(path, "r") as f:
        config = json.loads(_text(f.attrs["model_config"]))
        version = _text(f.attrs.get("keras_version", "unknown"))
        group = f["model_weights"] if "model_weights" in f else f
        weights: dict[str, dict[str, np.ndarray]] = {}
        for layer_name in group:
            arrays: dict[str, np.ndarray] = {}
            group[layer_name].visititems(
                lambda n, obj, arrays=arrays: arrays.__setitem__(_short(n), np.asarray(obj))
                if hasattr(obj, "shape")
                else None
            )
            weights[layer_name] = arrays
    if config.get("class_name") not in ("Model", "Functional"):
        raise ValueError(f"only functional Keras models are supported, not {config.get('class_name')}")
    layers = []
    input_shape: tuple[int, ...] = ()
    for raw in config["config"]["layers"]:
        kind = raw["class_name"]
        if kind not in SUPPORTED:
            raise ValueError(f"Keras layer type {kind} ({raw['name']}) is not supported by this converter")
        inbound = raw.get("inbound_nodes") or []
        inputs = tuple(node[0] for node in inbound[0]) if inbound else ()
        if kind == "InputLayer":
            input_shape = tuple(raw["config"]["batch_input_shape"][1:])
        layers.append(KerasLayer(kind, raw["name"], raw["config"], inputs, weights.get(raw["name"], {})))
    outputs = config["config"]["output_layers"]
    if len(outputs) != 1:
        raise ValueError("only single-output models are supported")
    return KerasModel(tuple(layers), input_shape, outputs[0][0], version)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow 'same' padding (extra pixel at the end), as (begin, end)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def layer_pads(layer: KerasLayer, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) padding for a windowed layer on an input of `size` (H, W)."""
    cfg = layer.config
    kernel = cfg.get("kernel_size") or cfg.get("pool_size")
    strides = cfg.get("strides") or kernel
    if cfg.get("padding", "valid") == "valid":
        return 0, 0, 0, 0
    top, bottom = same_pads(size[0], kernel[0], strides[0])
    left, right = same_pads(size[1], kernel[1], strides[1])
    return top, left, bottom, right
