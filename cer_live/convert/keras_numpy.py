"""A plain numpy forward pass of a Keras model, in Keras's own NHWC layout.

It shares no code with the ONNX graph builder beyond reading the file, so agreement
between the two is evidence that the conversion is faithful.
"""

from __future__ import annotations

import numpy as np

from .keras_model import KerasLayer, KerasModel, layer_pads


def forward(model: KerasModel, x: np.ndarray) -> np.ndarray:
    """x: (N, H, W, C) float -> the model output, computed in float64."""
    values: dict[str, np.ndarray] = {}
    for layer in model.layers:
        if layer.kind == "InputLayer":
            values[layer.name] = x.astype(np.float64)
            continue
        values[layer.name] = _layer(layer, [values[i] for i in layer.inputs])
    return values[model.output]


def _windows(
    x: np.ndarray, layer: KerasLayer, kernel: tuple[int, int], strides: tuple[int, int], fill: float
) -> np.ndarray:
    """(N, OH, OW, kh, kw, C) sliding windows after 'same' or 'valid' padding."""
    top, left, bottom, right = layer_pads(layer, x.shape[1:3])
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    win = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(1, 2))  # (N, OH', OW', C, kh, kw)
    win = win[:, :: strides[0], :: strides[1]]
    return win.transpose(0, 1, 2, 4, 5, 3)


def _layer(layer: KerasLayer, inputs: list[np.ndarray]) -> np.ndarray:
    cfg, wts = layer.config, layer.weights
    x = inputs[0]
    if layer.kind == "Conv2D":
        win = _windows(x, layer, tuple(cfg["kernel_size"]), tuple(cfg["strides"]), 0.0)
        y = np.einsum("nhwijc,ijco->nhwo", win, wts["kernel"].astype(np.float64))
        if cfg.get("use_bias", True):
            y = y + wts["bias"]
        return _act(y, cfg.get("activation", "linear"))
    if layer.kind == "SeparableConv2D":
        win = _windows(x, layer, tuple(cfg["kernel_size"]), tuple(cfg["strides"]), 0.0)
        dk = wts["depthwise_kernel"].astype(np.float64)  # (kh, kw, C, mult)
        y = np.einsum("nhwijc,ijcm->nhwcm", win, dk).reshape(*win.shape[:3], -1)
        y = np.einsum("nhwc,co->nhwo", y, wts["pointwise_kernel"][0, 0].astype(np.float64))
        if cfg.get("use_bias", True):
            y = y + wts["bias"]
        return _act(y, cfg.get("activation", "linear"))
    if layer.kind == "BatchNormalization":
        c = x.shape[-1]
        gamma = wts.get("gamma", np.ones(c)) if cfg.get("scale", True) else np.ones(c)
        beta = wts.get("beta", np.zeros(c)) if cfg.get("center", True) else np.zeros(c)
        return (x - wts["moving_mean"]) / np.sqrt(wts["moving_variance"] + cfg["epsilon"]) * gamma + beta
    if layer.kind == "Activation":
        return _act(x, cfg["activation"])
    if layer.kind == "MaxPooling2D":
        strides = tuple(cfg["strides"] or cfg["pool_size"])
        return _windows(x, layer, tuple(cfg["pool_size"]), strides, -np.inf).max(axis=(3, 4))
    if layer.kind == "Add":
        return np.sum(inputs, axis=0)
    if layer.kind == "GlobalAveragePooling2D":
        return x.mean(axis=(1, 2))
    raise ValueError(f"{layer.name}: layer type {layer.kind} is not supported")


def _act(x: np.ndarray, activation: str) -> np.ndarray:
    if activation == "linear":
        return x
    if activation == "relu":
        return np.maximum(x, 0.0)
    if activation == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"activation {activation} is not supported")
