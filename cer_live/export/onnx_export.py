"""torch module -> checked ONNX (dynamic batch, metadata), and its FP16 variant."""

from __future__ import annotations

import io
import warnings

import onnx
import torch
from torch import nn

from ..errors import ExportError

OPSET = 17
INPUT, OUTPUT = "input", "logits"


def to_onnx(
    model: nn.Module, size: tuple[int, int], metadata: dict[str, str], outputs: tuple[str, ...] = (OUTPUT,)
) -> onnx.ModelProto:
    """Export with a dynamic batch axis; the spatial size is fixed, as the pack declares it."""
    width, height = size
    dummy = torch.zeros(2, 3, height, width)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript exporter is the one that needs no extra packages; its deprecation
        # notice is not actionable for a user running an export.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(),
            (dummy,),
            buf,
            input_names=[INPUT],
            output_names=list(outputs),
            dynamic_axes={INPUT: {0: "batch"}, **{name: {0: "batch"} for name in outputs}},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    proto = onnx.load_from_string(buf.getvalue())
    set_metadata(proto, metadata)
    check(proto, "fp32")
    return proto


def set_metadata(proto: onnx.ModelProto, metadata: dict[str, str]) -> None:
    del proto.metadata_props[:]
    for key, value in sorted(metadata.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value


def to_fp16(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Weights and activations in FP16; the input and output stay float32 so callers need not care."""
    from onnxruntime.transformers.float16 import convert_float_to_float16

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns about values clamped to the FP16 range
        half = convert_float_to_float16(proto, keep_io_types=True)
    topological_sort(half.graph)
    meta = {p.key: p.value for p in proto.metadata_props}
    set_metadata(half, {**meta, "precision": "fp16"})
    check(half, "fp16")
    return half


def topological_sort(graph: onnx.GraphProto) -> None:
    """Reorder nodes so that each comes after its producers (the FP16 converter appends its
    input casts at the end, which runtimes accept but the ONNX spec and checker do not)."""
    ready = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending = list(graph.node)
    ordered: list[onnx.NodeProto] = []
    while pending:
        still = [n for n in pending if not all(i in ready for i in n.input)]
        done = [n for n in pending if all(i in ready for i in n.input)]
        if not done:
            raise ExportError("the FP16 graph has a cycle or a dangling input; this is a bug, please report it")
        for node in done:
            ordered.append(node)
            ready.update(node.output)
        pending = still
    copies = [onnx.NodeProto() for _ in ordered]
    for copy, node in zip(copies, ordered, strict=False):
        copy.CopyFrom(node)
    del graph.node[:]
    graph.node.extend(copies)


def check(proto: onnx.ModelProto, what: str) -> None:
    try:
        onnx.checker.check_model(proto, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise ExportError(
            f"the exported {what} ONNX fails onnx.checker ({first}); this is a bug, please report it"
        ) from exc
