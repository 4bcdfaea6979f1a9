"""A BatchNorm that no convolution absorbs becomes an equal depthwise Conv, and INT8 then
quantizes it instead of leaving it in float."""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from cer_live.export import bn_depthwise
from cer_live.export.quantize import quantize

RNG = np.random.default_rng(7)


def _dense_layer(with_flat_bn: bool = False) -> onnx.ModelProto:
    """DenseNet's order: BatchNorm, ReLU, Conv; optionally a BatchNorm on a flat (rank-2) tensor."""
    c = 8
    inits = [
        numpy_helper.from_array(RNG.uniform(0.5, 2, c).astype(np.float32), "gamma"),
        numpy_helper.from_array(RNG.normal(0, 1, c).astype(np.float32), "beta"),
        numpy_helper.from_array(RNG.normal(0, 1, c).astype(np.float32), "mean"),
        numpy_helper.from_array(RNG.uniform(0.5, 2, c).astype(np.float32), "var"),
        numpy_helper.from_array(RNG.normal(0, 0.3, (4, c, 3, 3)).astype(np.float32), "w"),
    ]
    nodes = [
        helper.make_node(
            "BatchNormalization", ["x", "gamma", "beta", "mean", "var"], ["n"], name="norm1", epsilon=1e-3
        ),
        helper.make_node("Relu", ["n"], ["r"], name="relu1"),
        helper.make_node("Conv", ["r", "w"], ["y"], name="conv1", pads=[1, 1, 1, 1]),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4, 6, 6])]
    if with_flat_bn:
        nodes += [
            helper.make_node("GlobalAveragePool", ["x"], ["g"]),
            helper.make_node("Flatten", ["g"], ["f"]),
            helper.make_node("BatchNormalization", ["f", "gamma", "beta", "mean", "var"], ["z"], name="flat"),
        ]
        outputs.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, [None, c]))
    graph = helper.make_graph(
        nodes, "dense", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, c, 6, 6])], outputs, inits
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return onnx.shape_inference.infer_shapes(model)


def _run(model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})


def test_the_depthwise_conv_computes_what_the_batchnorm_did():
    model = _dense_layer(with_flat_bn=True)
    x = RNG.normal(0, 2, (3, 8, 6, 6)).astype(np.float32)
    before = _run(model, x)
    assert bn_depthwise.rewrite(model) == 1  # the rank-2 one is left alone
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("BatchNormalization") == 1 and ops[0] == "Conv"
    onnx.checker.check_model(model)
    after = _run(model, x)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_int8_quantizes_the_batchnorm_as_a_convolution():
    fp32 = _dense_layer()
    faces = RNG.normal(0, 1, (16, 8, 6, 6)).astype(np.float32)
    int8 = onnx.load_from_string(quantize(fp32.SerializeToString(), faces, "dense", {}))
    ops = [node.op_type for node in int8.graph.node]
    assert "BatchNormalization" not in ops
    # The normalising conv reads a dequantized tensor and its int8 weight: it runs in integers.
    producers = {out: node for node in int8.graph.node for out in node.output}
    norm = next(node for node in int8.graph.node if node.name == "norm1.dw")
    assert {producers[name].op_type for name in norm.input[:2]} == {"DequantizeLinear"}
    x = faces[:4]
    np.testing.assert_allclose(_run(int8, x)[0], _run(fp32, x)[0], atol=0.1 * np.abs(_run(fp32, x)[0]).max())
