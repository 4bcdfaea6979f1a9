"""A Keras 2 CNN (from `keras_model`) rebuilt as an NCHW ONNX graph of our own."""

from __future__ import annotations

import numpy as np

from .keras_model import KerasLayer, KerasModel, layer_pads

OPSET = 17


def _out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    return (size + pad - kernel) // stride + 1


class _Builder:
    def __init__(self) -> None:
        import onnx
        from onnx import helper, numpy_helper

        self.onnx, self.helper, self.numpy_helper = onnx, helper, numpy_helper
        self.nodes: list = []
        self.initializers: list = []

    def const(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(array, np.float32), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=output, **attrs))
        return output


def to_onnx(
    model: KerasModel,
    input_name: str = "input",
    output_name: str = "probabilities",
    metadata: dict[str, str] | None = None,
):
    """The ONNX ModelProto: input (N, C, H, W) float32, output (N, classes)."""
    b = _Builder()
    h, w, c = model.input_shape
    shapes: dict[str, tuple[int, int, int]] = {}  # layer -> (H, W, C) of its output
    tensors: dict[str, str] = {}
    for layer in model.layers:
        if layer.kind == "InputLayer":
            tensors[layer.name], shapes[layer.name] = input_name, (h, w, c)
            continue
        x = tensors[layer.inputs[0]]
        in_shape = shapes[layer.inputs[0]]
        tensors[layer.name], shapes[layer.name] = _emit(b, layer, x, in_shape, [tensors[i] for i in layer.inputs])
    last = tensors[model.output]
    final = b.node("Identity", [last], output_name)
    classes = shapes[model.output][2]
    graph = b.helper.make_graph(
        b.nodes,
        "keras_converted",
        [b.helper.make_tensor_value_info(input_name, b.onnx.TensorProto.FLOAT, ["batch", c, h, w])],
        [b.helper.make_tensor_value_info(final, b.onnx.TensorProto.FLOAT, ["batch", classes])],
        b.initializers,
    )
    proto = b.helper.make_model(graph, opset_imports=[b.helper.make_opsetid("", OPSET)], producer_name="cer-live")
    proto.ir_version = 8  # readable by onnxruntime releases from 1.14 on
    for key, value in (metadata or {}).items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    b.onnx.checker.check_model(proto, full_check=True)
    return proto


def _emit(b: _Builder, layer: KerasLayer, x: str, shape: tuple[int, int, int], inputs: list[str]):
    cfg, wts, name = layer.config, layer.weights, layer.name
    h, w, c = shape
    if layer.kind in ("Conv2D", "SeparableConv2D"):
        kh, kw = cfg["kernel_size"]
        sh, sw = cfg["strides"]
        if tuple(cfg.get("dilation_rate", (1, 1))) != (1, 1):
            raise ValueError(f"{name}: dilated convolutions are not supported")
        top, left, bottom, right = layer_pads(layer, (h, w))
        pads = [top, left, bottom, right]
        if layer.kind == "SeparableConv2D":
            dk = wts["depthwise_kernel"]  # (kh, kw, C, mult)
            mult = dk.shape[3]
            dw = dk.transpose(2, 3, 0, 1).reshape(c * mult, 1, kh, kw)
            x = b.node(
                "Conv",
                [x, b.const(name + "/depthwise", dw)],
                name + "/dw",
                group=c,
                kernel_shape=[kh, kw],
                strides=[sh, sw],
                pads=pads,
            )
            pw = wts["pointwise_kernel"].transpose(3, 2, 0, 1)
            ins = [x, b.const(name + "/pointwise", pw)]
            if cfg.get("use_bias", True):
                ins.append(b.const(name + "/bias", wts["bias"]))
            out = b.node("Conv", ins, name, kernel_shape=[1, 1])
            filters = pw.shape[0]
        else:
            kernel = wts["kernel"].transpose(3, 2, 0, 1)
            ins = [x, b.const(name + "/kernel", kernel)]
            if cfg.get("use_bias", True):
                ins.append(b.const(name + "/bias", wts["bias"]))
            out = b.node("Conv", ins, name, kernel_shape=[kh, kw], strides=[sh, sw], pads=pads)
            filters = kernel.shape[0]
        out = _activation(b, out, cfg.get("activation", "linear"), name)
        return out, (_out_size(h, kh, sh, top + bottom), _out_size(w, kw, sw, left + right), filters)
    if layer.kind == "BatchNormalization":
        if cfg.get("axis", -1) not in (-1, 3):
            raise ValueError(f"{name}: batch normalisation over axis {cfg.get('axis')} is not supported")
        gamma = wts.get("gamma", np.ones(c, np.float32)) if cfg.get("scale", True) else np.ones(c, np.float32)
        beta = wts.get("beta", np.zeros(c, np.float32)) if cfg.get("center", True) else np.zeros(c, np.float32)
        ins = [
            x,
            b.const(name + "/gamma", gamma),
            b.const(name + "/beta", beta),
            b.const(name + "/mean", wts["moving_mean"]),
            b.const(name + "/var", wts["moving_variance"]),
        ]
        return b.node("BatchNormalization", ins, name, epsilon=float(cfg["epsilon"])), shape
    if layer.kind == "Activation":
        # Keras normalises over the last (channel) axis, which is axis 1 of a 4-D NCHW tensor.
        axis = -1 if shape[:2] == (1, 1) else 1
        return _activation(b, x, cfg["activation"], name, axis), shape
    if layer.kind == "MaxPooling2D":
        kh, kw = cfg["pool_size"]
        sh, sw = cfg["strides"] or cfg["pool_size"]
        top, left, bottom, right = layer_pads(layer, (h, w))
        out = b.node("MaxPool", [x], name, kernel_shape=[kh, kw], strides=[sh, sw], pads=[top, left, bottom, right])
        return out, (_out_size(h, kh, sh, top + bottom), _out_size(w, kw, sw, left + right), c)
    if layer.kind == "Add":
        out = inputs[0]
        for i, other in enumerate(inputs[1:]):
            out = b.node("Add", [out, other], name if i == len(inputs) - 2 else f"{name}/{i}")
        return out, shape
    if layer.kind == "GlobalAveragePooling2D":
        pooled = b.node("GlobalAveragePool", [x], name + "/pool")
        return b.node("Flatten", [pooled], name, axis=1), (1, 1, c)
    raise ValueError(f"{name}: layer type {layer.kind} is not supported")


def _activation(b: _Builder, x: str, activation: str, name: str, axis: int = 1) -> str:
    if activation == "linear":
        return x
    if activation == "relu":
        return b.node("Relu", [x], name + "/relu")
    if activation == "softmax":
        return b.node("Softmax", [x], name + "/softmax", axis=axis)
    raise ValueError(f"{name}: activation {activation} is not supported")
