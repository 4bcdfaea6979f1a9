"""The one interface every inference engine implements, and what it is given to load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..integrity import Verified, VerifiedFile

PRECISIONS = ("fp32", "fp16", "int8", "auto")


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int | str | None, ...]  # symbolic or None for dynamic axes
    dtype: str


@dataclass(frozen=True)
class ModelSource:
    """Everything a backend may load one model from.

    Every file is read, checked against its sha256 and handed over only when a backend loads
    it, and the backend keeps no copy: a pack's bytes live no longer than loading them takes.
    The FP16 ONNX and the torch weights are optional, for the backends that use them.
    """

    onnx: Verified
    label: str = "model"
    onnx_fp16: VerifiedFile | None = None
    onnx_int8: VerifiedFile | None = None  # static INT8 (QDQ), from `cer-live packs quantize`
    torch_arch: str | None = None
    torch_weights: VerifiedFile | None = None


@dataclass(frozen=True)
class BackendOptions:
    """Knobs shared by every backend; a backend ignores what does not apply to it."""

    threads: int = 1
    device: str = "cpu"  # cpu | cuda | cuda:N
    precision: str = "fp32"  # fp32 | fp16 | int8 | auto (fp16 on CUDA, int8 on the CPU, where the model has it)
    max_batch: int = 64  # the largest batch a backend with fixed profiles must accept
    cache_dir: Path | None = None  # where built engines (TensorRT plans) are kept
    compile: bool = False  # torch.compile for the torch backend


class Backend(Protocol):
    """A loaded model: feed a batch, get its outputs in declared order."""

    @property
    def inputs(self) -> tuple[TensorSpec, ...]: ...

    @property
    def outputs(self) -> tuple[TensorSpec, ...]: ...

    def infer(self, batch: np.ndarray) -> list[np.ndarray]: ...

    def close(self) -> None: ...


def resolve_precision(options: BackendOptions, has_fp16: bool = True, has_int8: bool = False) -> str:
    """'auto' -> fp16 on CUDA when the model has what FP16 needs, int8 on the CPU when the model
    has an INT8 variant, else fp32."""
    if options.precision != "auto":
        return options.precision
    if options.device.startswith("cuda"):
        return "fp16" if has_fp16 else "fp32"
    return "int8" if has_int8 else "fp32"


def device_index(device: str) -> int:
    """'cuda' -> 0, 'cuda:1' -> 1."""
    _, _, index = device.partition(":")
    return int(index) if index.isdigit() else 0
