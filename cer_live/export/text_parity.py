"""The CLIP member to ONNX, then checked against torch on the same aligned faces.

Both outputs (the member's classes and, with compounds, the basic classes) must agree with
torch fp32 within the export's fp32 limit on softmax probabilities; the float64 referee of
parity.check_member applies to the first, as it does to every exported member.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import PRODUCER
from ..errors import ParityError
from ..models import backends
from ..models.backends import BackendOptions
from .class_text import ClassSet
from .onnx_export import to_onnx
from .parity import FP32_MAX_ABS_DIFF, check_member, compare
from .text_head import OUTPUTS, TextClassHead


def _scale(model: torch.nn.Module) -> float:
    with torch.no_grad():
        return float(model.logit_scale.exp())


def head_for(model: torch.nn.Module, classes: ClassSet, embeddings: dict[str, np.ndarray]) -> TextClassHead:
    basic = np.stack([embeddings[n] for n in classes.basic_names])
    if not classes.compound:
        return TextClassHead(model.visual, _scale(model), basic)
    compound = np.stack([embeddings[n] for n in classes.compound_names])
    return TextClassHead(model.visual, _scale(model), compound, basic)


def _torch_outputs(head: TextClassHead, tensors: np.ndarray, dtype: torch.dtype, batch: int = 16) -> list[np.ndarray]:
    parts: list[list[np.ndarray]] = []
    with torch.inference_mode():
        for i in range(0, len(tensors), batch):
            out = head(torch.from_numpy(tensors[i : i + batch]).to(dtype))
            parts.append([o.double().numpy() for o in (out if isinstance(out, tuple) else (out,))])
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _onnx_outputs(model: bytes, tensors: np.ndarray, batch: int = 16) -> list[np.ndarray]:
    engine = backends.create("onnxruntime", model, BackendOptions(threads=2), label="exported ONNX")
    try:
        parts = [engine.infer(tensors[i : i + batch]) for i in range(0, len(tensors), batch)]
    finally:
        engine.close()
    return [np.concatenate(column).astype(np.float64) for column in zip(*parts, strict=True)]


def check_text_member(
    name: str,
    model: torch.nn.Module,
    classes: ClassSet,
    embeddings: dict[str, np.ndarray],
    size: tuple[int, int],
    tensors: np.ndarray,
) -> tuple[bytes, dict[str, dict], float]:
    """(ONNX bytes, parity figures, logit scale); ParityError if the ONNX misses the fp32 limit."""
    head = head_for(model, classes, embeddings).eval()
    outputs = OUTPUTS if head.two else OUTPUTS[:1]
    own = classes.compound_names if head.two else classes.basic_names
    meta = {"producer": PRODUCER, "member": name, "classes": ",".join(own), "colour": "rgb"}
    if head.two:
        meta["basic_classes"] = ",".join(classes.basic_names)
    onnx_bytes = to_onnx(head, size, meta, outputs).SerializeToString()
    reference = _torch_outputs(head, tensors, torch.float32)
    candidate = _onnx_outputs(onnx_bytes, tensors)

    def exact() -> np.ndarray:
        truth = _torch_outputs(head.double(), tensors, torch.float64)[0]
        head.float()
        return truth

    report = check_member(name, reference[0], candidate[0], None, exact=exact)
    if head.two:
        basic = compare(reference[1], candidate[1])
        report["fp32_basic"] = {"max_abs_diff": basic.max_abs_diff, "top1_agreement": basic.top1_agreement}
        if not basic.max_abs_diff <= FP32_MAX_ABS_DIFF:
            raise ParityError(
                f"member '{name}': the basic output of the fp32 ONNX differs from torch by {basic.max_abs_diff:.2e} "
                f"(limit {FP32_MAX_ABS_DIFF:.0e}); the export is wrong, no pack was written"
            )
    return onnx_bytes, report, float(head.scale)
