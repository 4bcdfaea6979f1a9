"""Does the exported ONNX reproduce the torch model? Checked on real aligned faces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ..errors import ParityError
from ..models import backends
from ..models.backends import BackendOptions
from ..models.softmax import softmax

FP32_MAX_ABS_DIFF = 1e-4  # on softmax probabilities
FP16_MIN_TOP1 = 0.995
# A face whose top two classes lie closer than this (softmax) is a near-tie that FP16 rounding
# may break either way; such flips say nothing about the export, so FP16 top-1 is judged on the rest.
FP16_TIE_MARGIN = 0.02
MIN_FACES = 64
FLOAT32_NOISE_MARGIN = 1.5  # ONNX may be this much further from float64 than torch fp32 is


@dataclass(frozen=True)
class Parity:
    faces: int
    max_abs_diff: float  # softmax, ONNX Runtime vs torch fp32
    top1_agreement: float


def torch_probs(
    model: nn.Module,
    tensors: np.ndarray,
    batch: int = 16,
    dtype: torch.dtype = torch.float32,
) -> np.ndarray:
    out = []
    with torch.inference_mode():
        for i in range(0, len(tensors), batch):
            out.append(model(torch.from_numpy(tensors[i : i + batch]).to(dtype)).double().numpy())
    return softmax(np.concatenate(out))


def float64_probs(model: nn.Module, tensors: np.ndarray) -> np.ndarray:
    """The exact answer, up to float64 rounding: the referee when fp32 torch and ONNX disagree."""
    exact = torch_probs(model.double(), tensors, dtype=torch.float64)
    model.float()
    return exact


def onnx_probs(model: bytes, tensors: np.ndarray, batch: int = 16, threads: int = 2) -> np.ndarray:
    engine = backends.create("onnxruntime", model, BackendOptions(threads=threads), label="exported ONNX")
    try:
        return softmax(np.concatenate([engine.infer(tensors[i : i + batch])[0] for i in range(0, len(tensors), batch)]))
    finally:
        engine.close()


def compare(reference: np.ndarray, candidate: np.ndarray) -> Parity:
    return Parity(
        faces=len(reference),
        max_abs_diff=float(np.abs(reference - candidate).max()),
        top1_agreement=float((reference.argmax(1) == candidate.argmax(1)).mean()),
    )


def decisive(reference: np.ndarray, margin: float = FP16_TIE_MARGIN) -> np.ndarray:
    """Faces whose top class leads the runner-up by more than `margin`."""
    top2 = np.sort(reference, axis=1)[:, -2:]
    return (top2[:, 1] - top2[:, 0]) > margin


def check_fp16(name: str, reference: np.ndarray, fp16: np.ndarray, enforce: bool) -> dict:
    clear = decisive(reference)
    overall = compare(reference, fp16)
    judged = compare(reference[clear], fp16[clear]) if clear.any() else None
    report = {**asdict(overall), "enforced": enforce, "decisive_faces": int(clear.sum())}
    report["decisive_top1_agreement"] = judged.top1_agreement if judged else None
    if enforce and not np.isfinite(fp16).all():  # overflow, whatever the ties
        raise ParityError(
            f"member '{name}': fp16 ONNX gives non-finite scores on {int((~np.isfinite(fp16)).any(1).sum())} of "
            f"{len(fp16)} faces (FP16 overflow); export without --fp16; no pack was written"
        )
    if enforce and judged is not None and judged.top1_agreement < FP16_MIN_TOP1:
        raise ParityError(
            f"member '{name}': fp16 ONNX agrees with torch on top-1 for {judged.top1_agreement:.1%} of the {judged.faces} "
            f"faces whose top class leads by more than {FP16_TIE_MARGIN} (limit {FP16_MIN_TOP1:.1%}); export without "
            "--fp16 or check the model for FP16 overflow; no pack was written"
        )
    return report


def check_member(
    name: str,
    reference: np.ndarray,
    fp32: np.ndarray,
    fp16: np.ndarray | None,
    enforce_fp16: bool = True,
    exact: Callable[[], np.ndarray] | None = None,
) -> dict[str, dict]:
    """Figures for the manifest; ParityError when a target is missed.

    fp32 passes at <= FP32_MAX_ABS_DIFF from torch. Above that, and only if `exact` (a float64
    forward pass) is given, it still passes when ONNX Runtime is no further from the float64
    answer than torch's own fp32 is: then the gap is float32 rounding in a deep network, which
    the ONNX file cannot fix, not an export error. A wrong weight or operator lands far from both.

    FP16 top-1 is judged on the faces torch decides clearly (see `decisive`): a barely trained
    member, scored on faces unlike its training set, leaves near-ties that rounding flips.
    `enforce_fp16=False` is for untrained members, whose random heads are near-ties throughout:
    the figure is recorded but says nothing about the export.
    """
    if len(reference) < MIN_FACES:
        raise ParityError(
            f"parity needs at least {MIN_FACES} aligned faces, found {len(reference)}; pass more face videos with --faces"
        )
    p32 = compare(reference, fp32)
    report: dict[str, dict] = {"fp32": asdict(p32)}
    if not p32.max_abs_diff <= FP32_MAX_ABS_DIFF and exact is not None:
        truth = exact()
        torch_error = float(np.abs(reference - truth).max())
        onnx_error = float(np.abs(fp32 - truth).max())
        report["fp32"].update(torch_vs_float64=torch_error, onnx_vs_float64=onnx_error)
        report["fp32"]["within_float32_noise"] = onnx_error <= FLOAT32_NOISE_MARGIN * torch_error
    if not p32.max_abs_diff <= FP32_MAX_ABS_DIFF and not report["fp32"].get("within_float32_noise"):
        raise ParityError(
            f"member '{name}': fp32 ONNX differs from torch by {p32.max_abs_diff:.2e} (softmax, limit {FP32_MAX_ABS_DIFF:.0e}) "
            f"on {p32.faces} faces; the export is wrong, no pack was written"
        )
    if fp16 is not None:
        report["fp16"] = check_fp16(name, reference, fp16, enforce_fp16)
    return report
