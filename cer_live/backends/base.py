"""The one interface every inference engine implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int | str | None, ...]  # symbolic or None for dynamic axes
    dtype: str


@dataclass(frozen=True)
class BackendOptions:
    """Knobs shared by every backend; a backend ignores what does not apply to it."""

    threads: int = 1
    device: str = "cpu"


class Backend(Protocol):
    """A loaded model: feed a batch, get its outputs in declared order."""

    @property
    def inputs(self) -> tuple[TensorSpec, ...]: ...

    @property
    def outputs(self) -> tuple[TensorSpec, ...]: ...

    def infer(self, batch: np.ndarray) -> list[np.ndarray]: ...

    def close(self) -> None: ...
