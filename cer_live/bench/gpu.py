"""GPU paths: what is there, how device work is timed, and one upload shared by all members.

On a machine without an NVIDIA GPU every CUDA row is still listed, with the reason it was
skipped, so a reader sees what was not measured rather than a silent gap.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

import numpy as np

GPU_ONLY = ("tensorrt",)


def gpu_name() -> str | None:
    """The first NVIDIA GPU's name from nvidia-smi, or None without one."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return names[0] if done.returncode == 0 and names else None


def devices_for(backend: str) -> tuple[str, ...]:
    """Devices a backend is swept on: the CPU (unless GPU-only) and always CUDA, skipped if absent."""
    return ("cuda",) if backend in GPU_ONLY else ("cpu", "cuda")


class Timer:
    """Wall time around a call that returns host arrays (the GPU work is then finished)."""

    kind = "wall_clock"

    def time(self, fn: Callable[[], Any]) -> float:
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1000.0


class CudaEventTimer(Timer):
    """Device time between two CUDA events on the current stream (torch's event API)."""

    kind = "cuda_events"

    def __init__(self) -> None:
        import torch

        self._torch = torch

    def time(self, fn: Callable[[], Any]) -> float:
        start = self._torch.cuda.Event(enable_timing=True)
        end = self._torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return float(start.elapsed_time(end))


def timer_for(device: str) -> Timer:
    """CUDA events where a CUDA device and torch are present; wall time otherwise."""
    if device.startswith("cuda") and importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            return CudaEventTimer()
    return Timer()


def _ort_cuda() -> Any | None:
    import onnxruntime as ort

    return ort if "CUDAExecutionProvider" in ort.get_available_providers() and gpu_name() else None


def shared_upload_runner(models: list[bytes], batch: np.ndarray) -> Callable[[], list[np.ndarray]]:
    """One upload of the batch, bound as input to every member's session (IO binding),
    outputs left on the device and fetched once each at the end."""
    ort = _ort_cuda()
    if ort is None:
        raise RuntimeError("onnxruntime has no CUDA provider or no GPU is visible")
    sessions = [ort.InferenceSession(m, providers=["CUDAExecutionProvider"]) for m in models]
    bindings = [s.io_binding() for s in sessions]

    def run() -> list[np.ndarray]:
        shared = ort.OrtValue.ortvalue_from_numpy(batch, "cuda", 0)
        for session, binding in zip(sessions, bindings, strict=False):
            binding.bind_ortvalue_input(session.get_inputs()[0].name, shared)
            for out in session.get_outputs():
                binding.bind_output(out.name, "cuda")
            session.run_with_iobinding(binding)
        return [b.copy_outputs_to_cpu()[0] for b in bindings]

    return run


def upload_comparison(
    models: list[bytes], engines_infer: Callable[[], Any], batch: np.ndarray, repeats: int
) -> dict[str, Any]:
    """Per-member numpy in and out (today's path) against one shared device upload; the faster is named."""
    try:
        shared = shared_upload_runner(models, batch)
    except RuntimeError as exc:
        return {"status": "skipped", "note": f"unmeasured: {exc}"}
    timer = timer_for("cuda")
    shared()
    engines_infer()
    per_member = [timer.time(engines_infer) for _ in range(repeats)]
    one_upload = [timer.time(shared) for _ in range(repeats)]
    a, b = float(np.median(per_member)), float(np.median(one_upload))
    return {
        "status": "measured",
        "batch": int(len(batch)),
        "per_member_numpy_p50_ms": round(a, 3),
        "shared_upload_p50_ms": round(b, 3),
        "faster": "shared_upload" if b < a else "per_member_numpy",
    }


def probe() -> dict[str, Any]:
    """What GPU paths exist here, for the report."""
    name = gpu_name()
    import onnxruntime as ort

    return {
        "gpu": name,
        "onnxruntime_cuda_provider": "CUDAExecutionProvider" in ort.get_available_providers(),
        "torch_installed": importlib.util.find_spec("torch") is not None,
        "tensorrt_installed": importlib.util.find_spec("tensorrt") is not None,
        "note": None
        if name
        else "no NVIDIA GPU on this machine: the CUDA, torch FP16 and TensorRT rows are skipped, unmeasured",
    }
