"""ONNX Runtime backend: the CPU execution provider, or CUDA with IO binding (onnxruntime-gpu)."""

from __future__ import annotations

import logging

import numpy as np

from ...errors import BackendError
from ...install import install_hint
from ..integrity import Verified
from .base import BackendOptions, ModelSource, TensorSpec, device_index, resolve_precision

log = logging.getLogger(__name__)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _lean_memory(so: object, options: BackendOptions) -> None:
    """On the CPU, no arena: ONNX Runtime's arena keeps every block it ever grew to and shares
    none between sessions, so five members held five peak-sized arenas. The memory pattern
    (one planned block per input shape) and weight pre-packing stay on: both are speed.
    Measured by benchmarks/int8_cpu.py (session options); see docs/int8.md."""
    if not options.device.startswith("cuda"):
        so.enable_cpu_mem_arena = False  # type: ignore[attr-defined]


def _variant(source: ModelSource, options: BackendOptions) -> tuple[str, Verified]:
    """The precision that runs and the file it runs from: only that variant is read, the others
    never reach memory."""
    precision = resolve_precision(options, has_fp16=source.onnx_fp16 is not None, has_int8=source.onnx_int8 is not None)
    if precision == "fp16":
        if source.onnx_fp16 is None:
            raise BackendError(
                f"{source.label} has no FP16 ONNX; re-export the pack with --fp16 or use --precision fp32"
            )
        return precision, source.onnx_fp16
    if precision == "int8":
        if source.onnx_int8 is None:
            raise BackendError(
                f"{source.label} has no INT8 ONNX; build an INT8 pack with 'cer-live packs quantize' "
                "or use --precision fp32"
            )
        return precision, source.onnx_int8
    return precision, source.onnx


class OnnxRuntimeBackend:
    name = "onnxruntime"

    def __init__(self, source: ModelSource, options: BackendOptions) -> None:
        import onnxruntime as ort  # imported here so that listing backends stays cheap

        self._ort = ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = max(1, options.threads)
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning workers burn the other core that decode and the sinks need.
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        _lean_memory(so, options)
        self._cuda = options.device.startswith("cuda")
        self._device_id = device_index(options.device)
        providers: list = ["CPUExecutionProvider"]
        if self._cuda:
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise BackendError(
                    f"onnxruntime has no CUDA provider here; install the gpu extra ({install_hint('gpu')}) "
                    "or use --device cpu"
                )
            providers.insert(0, ("CUDAExecutionProvider", {"device_id": self._device_id}))
        self.precision, variant = _variant(source, options)
        self.model_sha256 = variant.sha256  # what ran, for the outputs' headers
        model = variant.read()
        try:
            self._session = ort.InferenceSession(model, so, providers=providers)
        except Exception as exc:  # onnxruntime raises several unrelated types for bad models
            raise BackendError(
                f"cannot load {source.label} with onnxruntime ({_first_line(exc)}); the ONNX file is corrupt "
                "or not a model: restore or re-export the pack"
            ) from exc
        if self._cuda and "CUDAExecutionProvider" not in self._session.get_providers():
            # onnxruntime silently falls back to the CPU when CUDA cannot start (no driver).
            raise BackendError(
                f"onnxruntime could not start CUDA for {source.label} (no GPU or driver?); use --device cpu"
            )
        self._input = self._session.get_inputs()[0].name
        self._outputs = [o.name for o in self._session.get_outputs()]
        self._binding = self._session.io_binding() if self._cuda else None

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(i.name, tuple(i.shape), i.type) for i in self._session.get_inputs())

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(o.name, tuple(o.shape), o.type) for o in self._session.get_outputs())

    def infer(self, batch: np.ndarray) -> list[np.ndarray]:
        if self._binding is None:
            return self._session.run(self._outputs, {self._input: batch})
        # IO binding: one host-to-device copy in, outputs left on the device until fetched,
        # instead of the per-call staging that run() does.
        binding = self._binding
        binding.clear_binding_inputs()
        binding.clear_binding_outputs()
        device_input = self._ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(batch), "cuda", self._device_id)
        binding.bind_ortvalue_input(self._input, device_input)
        for name in self._outputs:
            binding.bind_output(name, "cuda", self._device_id)
        self._session.run_with_iobinding(binding)
        return list(binding.copy_outputs_to_cpu())

    def close(self) -> None:
        self._binding = None
        self._session = None  # type: ignore[assignment]
