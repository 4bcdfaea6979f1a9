"""How far INT8 members move from fp32: measured on held-out faces with the runtime's own code.

Each member runs as the ensemble runs it (`Member`: its output kind mapped to the compound
classes), once in fp32 and once in INT8, on the same tensors; the fused label comes from the
pack's own fusion rule over all members.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..models.backends import BackendOptions
from ..models.ensemble import Member
from ..models.fusion import fuse
from ..models.packs import MemberSpec

BATCH = 16


@dataclass(frozen=True)
class Agreement:
    faces: int
    top1_agreement: float  # share of faces whose top class is the same in INT8 and fp32
    max_abs_delta_p: float  # largest change of any class probability on any face

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def compound_probs(spec: MemberSpec, precision: str, tensor: np.ndarray, threads: int = 2) -> np.ndarray:
    """(faces, 7) compound probabilities in the canonical order, as the ensemble computes them."""
    member = Member(spec, "onnxruntime", BackendOptions(threads=threads, precision=precision))
    try:
        return np.concatenate([member.run(tensor[i : i + BATCH])[0] for i in range(0, len(tensor), BATCH)])
    finally:
        member.engine.close()


def compare(fp32: np.ndarray, int8: np.ndarray) -> Agreement:
    return Agreement(
        faces=len(fp32),
        top1_agreement=float((fp32.argmax(1) == int8.argmax(1)).mean()),
        max_abs_delta_p=float(np.abs(fp32.astype(np.float64) - int8).max()),
    )


def fused(per_member: list[np.ndarray], rule: str, weights: list[float]) -> np.ndarray:
    """The pack's fusion over every member: (faces, 7)."""
    return fuse(np.stack(per_member), rule, np.asarray(weights, np.float64))
