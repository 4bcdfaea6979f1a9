"""One ONNX graph holding every member behind a shared input.

Useful where one session or engine per pack is cheaper than one per member (fewer launches
and copies on a GPU). Only members that share preprocessing can share an input.
"""

from __future__ import annotations

import onnx
from onnx import compose, helper

from .onnx_export import INPUT, OUTPUT, check, set_metadata


def fuse_members(members: list[tuple[str, onnx.ModelProto]], metadata: dict[str, str]) -> onnx.ModelProto:
    """Outputs are '<member>/logits', one per member, in the given order."""
    nodes, initialisers, outputs = [], [], []
    shared = None
    for name, model in members:
        prefixed = compose.add_prefix(model, prefix=f"{name}/")
        graph = prefixed.graph
        own_input = f"{name}/{INPUT}"
        for node in graph.node:
            node.input[:] = [INPUT if i == own_input else i for i in node.input]
        nodes.extend(graph.node)
        initialisers.extend(graph.initializer)
        outputs.extend(o for o in graph.output if o.name == f"{name}/{OUTPUT}")
        if shared is None:
            shared = onnx.ValueInfoProto()
            shared.CopyFrom(model.graph.input[0])
    assert shared is not None, "no members to fuse"
    graph = helper.make_graph(nodes, "cer_live_ensemble", [shared], outputs, initialisers)
    first = members[0][1]
    fused = helper.make_model(graph, opset_imports=list(first.opset_import), producer_name=first.producer_name)
    fused.ir_version = first.ir_version
    set_metadata(fused, metadata)
    check(fused, "fused")
    return fused
