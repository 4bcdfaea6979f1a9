"""PyTorch backend: eager or compiled, FP16 on CUDA; for export checks and GPUs without TensorRT.

It rebuilds the member's torchvision architecture and loads the pack's state_dict, so it
only serves members exported from checkpoints (not ONNX-only members such as the detector).
"""

from __future__ import annotations

import io

import numpy as np
import torch

from ...errors import BackendError
from ...install import install_hint
from .base import BackendOptions, ModelSource, TensorSpec, resolve_precision


class TorchBackend:
    name = "torch"

    def __init__(self, source: ModelSource, options: BackendOptions) -> None:
        try:
            from .torch_architectures import build  # needs torchvision, like this backend
        except ImportError as exc:
            raise BackendError(
                f"backend 'torch' needs torchvision ({exc.name} missing): {install_hint('train')}"
            ) from exc

        if source.torch_arch is None or source.torch_weights is None:
            raise BackendError(f"{source.label} has no torch weights in its pack; use --backend onnxruntime for it")
        cuda = options.device.startswith("cuda")
        if cuda and not torch.cuda.is_available():
            raise BackendError("torch sees no CUDA device here; use --device cpu")
        precision = resolve_precision(options)
        if precision == "int8":
            raise BackendError("INT8 members run on onnxruntime; use --backend onnxruntime (or auto)")
        if precision == "fp16" and not cuda:
            raise BackendError("FP16 on the torch backend needs CUDA; use --precision fp32 on the CPU")
        self.precision = precision
        self.model_sha256 = source.torch_weights.sha256  # what ran, for the outputs' headers
        self._device = torch.device(options.device)
        self._dtype = torch.float16 if precision == "fp16" else torch.float32
        torch.set_num_threads(max(1, options.threads))
        try:
            state = torch.load(io.BytesIO(source.torch_weights.read()), map_location="cpu", weights_only=True)
            model = build(source.torch_arch)
            model.load_state_dict(state, strict=True)
        except (RuntimeError, ValueError, KeyError, OSError) as exc:  # a damaged or mismatched state_dict
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackendError(
                f"cannot load the torch weights of {source.label} ({first[:160]}); re-export the pack"
            ) from exc
        model = model.eval().to(self._device, self._dtype)
        self._model = torch.compile(model, dynamic=True) if options.compile else model
        self._spec_in = (TensorSpec("input", ("batch", 3, None, None), "tensor(float)"),)
        self._spec_out = (TensorSpec("logits", ("batch", 7), "tensor(float)"),)

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return self._spec_in

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return self._spec_out

    def infer(self, batch: np.ndarray) -> list[np.ndarray]:
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch)).to(self._device, self._dtype, non_blocking=True)
            return [self._model(x).float().cpu().numpy()]

    def close(self) -> None:
        self._model = None  # type: ignore[assignment]
