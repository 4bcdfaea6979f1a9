"""One member's fp32 ONNX -> static INT8 ONNX (QDQ), with ONNX Runtime's own quantization tools."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
import onnx

from .. import PRODUCER
from ..errors import QuantizeError
from . import bn_depthwise

log = logging.getLogger(__name__)
BATCH = 8


def method() -> dict[str, str]:
    """What the manifest records about how the INT8 members were made."""
    import onnxruntime

    return {
        "tool": f"onnxruntime.quantization.quantize_static (onnxruntime {onnxruntime.__version__})",
        "format": "QDQ",
        "weights": "int8, symmetric, per output channel",
        "activations": "uint8, asymmetric, per tensor",
        "calibration": "MinMax over the calibration faces",
        "preprocessing": "onnxruntime.quantization.quant_pre_process (shape inference and graph optimisation)",
        "kept_in_float": "the node(s) writing the graph's outputs (the classifier's last layer)",
        "batchnorm": (
            "BatchNormalization left unfolded by the pre-processing (DenseNet's, before each convolution) "
            "rewritten as the equal depthwise 1x1 Conv, then quantized like the other convolutions"
        ),
    }


class _Faces:
    """ONNX Runtime's CalibrationDataReader protocol over a tensor of aligned faces."""

    def __init__(self, input_name: str, tensors: np.ndarray) -> None:
        self.input_name = input_name
        self.batches = iter([tensors[i : i + BATCH] for i in range(0, len(tensors), BATCH)])

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self.batches, None)
        return None if batch is None else {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)}


def _prepared(model: Path, work: Path) -> Path:
    """Shape inference and folding first, as ONNX Runtime advises (the raw graph if that fails),
    then the BatchNorms no convolution absorbed as depthwise convolutions (see bn_depthwise)."""
    from onnxruntime.quantization.shape_inference import quant_pre_process

    out = work / "prepared.onnx"
    try:
        quant_pre_process(str(model), str(out))
    except Exception as exc:  # the optimiser rejects some graphs that quantize fine as they are
        log.warning("quantization pre-processing skipped for %s (%s)", model.name, exc)
        out = model
    rewritten = work / "rewritten.onnx"
    count = bn_depthwise.rewrite_file(out, rewritten)
    log.debug("%s: %d BatchNorm(s) as depthwise convolutions", model.name, count)
    return rewritten if count else out


def _output_nodes(model: Path) -> list[str]:
    """The nodes that write the graph's outputs (the classifier's last layer): kept in float, so
    that the logits are not rounded to 256 levels, which flips near-tied classes for nothing."""
    graph = onnx.load(str(model), load_external_data=False).graph
    outputs = {o.name for o in graph.output}
    return [node.name for node in graph.node if outputs & set(node.output) and node.name]


def quantize(fp32: bytes, tensors: np.ndarray, label: str, metadata: dict[str, str]) -> bytes:
    """The INT8 ONNX of the fp32 ONNX `fp32`, calibrated on `tensors` (faces, C, H, W); its bytes."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    input_name = onnx.load_from_string(fp32).graph.input[0].name
    with tempfile.TemporaryDirectory(prefix="cer-live-int8-") as tmp:
        work = Path(tmp)
        model = work / "fp32.onnx"
        model.write_bytes(fp32)
        out = work / "int8.onnx"
        prepared = _prepared(model, work)
        root = logging.getLogger()
        level = root.level
        # onnxruntime's tools log every step on the root logger, and warn for each BatchNorm that
        # has no conv to fold into (DenseNet's) that it quantizes per tensor instead of per channel.
        root.setLevel(max(level, logging.ERROR))
        try:
            quantize_static(
                str(prepared),
                str(out),
                _Faces(input_name, tensors),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax,
                nodes_to_exclude=_output_nodes(prepared),
            )
        except Exception as exc:  # onnxruntime raises many unrelated types
            raise QuantizeError(
                f"{label}: INT8 quantization failed ({type(exc).__name__}: {exc}); no pack was written"
            ) from exc
        finally:
            root.setLevel(level)
        proto = onnx.load(str(out))
    own = {p.key: p.value for p in proto.metadata_props}
    del proto.metadata_props[:]
    for key, value in sorted({**own, **metadata, "precision": "int8", "producer": PRODUCER}.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    return proto.SerializeToString()
