"""ONNX Runtime backend (CPU execution provider; CUDA when onnxruntime-gpu is installed)."""

from __future__ import annotations

import numpy as np

from ..errors import BackendError
from .base import BackendOptions, TensorSpec


class OnnxRuntimeBackend:
    name = "onnxruntime"

    def __init__(self, model: bytes, options: BackendOptions, label: str = "model") -> None:
        import onnxruntime as ort  # imported here so that listing backends stays cheap

        so = ort.SessionOptions()
        so.intra_op_num_threads = max(1, options.threads)
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning workers burn the other core that decode and the sinks need.
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CPUExecutionProvider"]
        if options.device.startswith("cuda"):
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise BackendError(
                    "onnxruntime has no CUDA provider here; install the gpu extra "
                    "(pip install 'cer-live[gpu]') or use --device cpu"
                )
            providers.insert(0, "CUDAExecutionProvider")
        try:
            self._session = ort.InferenceSession(model, so, providers=providers)
        except Exception as exc:  # onnxruntime raises several unrelated types for bad models
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackendError(
                f"cannot load {label} with onnxruntime ({first}); the ONNX file is corrupt "
                "or not a model: restore or re-export the pack"
            ) from exc
        self._input = self._session.get_inputs()[0].name
        self._outputs = [o.name for o in self._session.get_outputs()]

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(i.name, tuple(i.shape), i.type) for i in self._session.get_inputs())

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(o.name, tuple(o.shape), o.type) for o in self._session.get_outputs())

    def infer(self, batch: np.ndarray) -> list[np.ndarray]:
        return self._session.run(self._outputs, {self._input: batch})

    def close(self) -> None:
        self._session = None  # type: ignore[assignment]
