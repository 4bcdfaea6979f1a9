"""Just enough of the ONNX protobuf to validate a pack without the onnx package.

Reads ModelProto.metadata_props and the shape of the graph's first input by walking the
protobuf wire format; large fields (weights) are skipped by length, never decoded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# Field numbers from onnx.proto.
_MODEL_GRAPH, _MODEL_METADATA = 7, 14
_GRAPH_INPUT, _GRAPH_INITIALIZER = 11, 5
_VALUE_NAME, _VALUE_TYPE = 1, 2
_TYPE_TENSOR, _TENSOR_SHAPE, _SHAPE_DIM = 1, 2, 1
_DIM_VALUE, _DIM_PARAM = 1, 2
_ENTRY_KEY, _ENTRY_VALUE = 1, 2


class OnnxFormatError(ValueError):
    pass


@dataclass(frozen=True)
class OnnxInfo:
    metadata: dict[str, str]
    input_name: str
    input_shape: tuple[int | str, ...]  # ints for fixed dimensions, names for symbolic ones


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise OnnxFormatError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: memoryview) -> Iterator[tuple[int, int, int | memoryview]]:
    """(field number, wire type, value) for each field of one message."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, wire, value
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise OnnxFormatError("field runs past the end of the message")
            yield number, wire, data[pos : pos + length]
            pos += length
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise OnnxFormatError(f"unsupported wire type {wire}")


def _sub(data: memoryview, number: int) -> list[memoryview]:
    return [v for n, w, v in _fields(data) if n == number and w == 2]  # type: ignore[misc]


def _text(data: memoryview, number: int) -> str:
    found = _sub(data, number)
    return bytes(found[0]).decode("utf-8", errors="replace") if found else ""


def read_info(model: bytes) -> OnnxInfo:
    """Metadata and first real input of a serialised ONNX model; OnnxFormatError if it is not one."""
    view = memoryview(model)
    graphs = _sub(view, _MODEL_GRAPH)
    if not graphs:
        raise OnnxFormatError("no graph")
    metadata = {_text(e, _ENTRY_KEY): _text(e, _ENTRY_VALUE) for e in _sub(view, _MODEL_METADATA)}
    graph = graphs[0]
    initialisers = {_text(t, 8) for t in _sub(graph, _GRAPH_INITIALIZER)}  # TensorProto.name = 8
    for value in _sub(graph, _GRAPH_INPUT):
        name = _text(value, _VALUE_NAME)
        if name in initialisers:
            continue
        dims: list[int | str] = []
        for tensor in _sub_path(value, (_VALUE_TYPE, _TYPE_TENSOR)):
            for shape in _sub(tensor, _TENSOR_SHAPE):
                for dim in _sub(shape, _SHAPE_DIM):
                    fixed = [v for n, w, v in _fields(dim) if n == _DIM_VALUE and w == 0]
                    dims.append(int(fixed[0]) if fixed else _text(dim, _DIM_PARAM) or "?")  # type: ignore[arg-type]
        return OnnxInfo(metadata=metadata, input_name=name, input_shape=tuple(dims))
    raise OnnxFormatError("the graph has no input")


def _sub_path(data: memoryview, path: tuple[int, ...]) -> list[memoryview]:
    level = [data]
    for number in path:
        level = [child for parent in level for child in _sub(parent, number)]
    return level
