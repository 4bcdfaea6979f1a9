"""CUDA paths: ONNX Runtime's CUDA provider with IO binding, and torch FP16 on CUDA.

Skipped cleanly on machines without an NVIDIA GPU (or without the gpu extra).
"""

import numpy as np
import pytest

from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.packs import load_pack

pytestmark = pytest.mark.gpu


def _cuda_provider() -> bool:
    import onnxruntime as ort

    return "CUDAExecutionProvider" in ort.get_available_providers()


def _torch_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


@pytest.mark.skipif(not _cuda_provider(), reason="onnxruntime has no CUDA provider here")
def test_onnxruntime_cuda_with_io_binding_matches_the_cpu():
    spec = load_pack("default").members[0]
    x = np.random.default_rng(0).random((16, 1, 64, 64), np.float32)
    cpu = backends.create("onnxruntime", spec.model, BackendOptions()).infer(x)[0]
    try:
        gpu = backends.create("onnxruntime", spec.model, BackendOptions(device="cuda"))
    except Exception as exc:  # the provider is installed but no GPU answers
        pytest.skip(f"no usable GPU: {exc}")
    for _ in range(2):  # the binding is reused across calls
        assert np.abs(gpu.infer(x)[0] - cpu).max() < 1e-4


@pytest.mark.skipif(not _torch_cuda(), reason="torch sees no CUDA device")
def test_torch_fp16_on_cuda_matches_onnxruntime(five_member_pack):
    pack = load_pack(str(five_member_pack.path))
    x = (
        np.random.default_rng(0)
        .normal(0, 0.25, (8, 3, pack.members[0].size[1], pack.members[0].size[0]))
        .astype(np.float32)
    )
    for spec in pack.members[:2]:
        want = backends.create("onnxruntime", spec.model, BackendOptions()).infer(x)[0]
        got = backends.create("torch", spec.source, BackendOptions(device="cuda", precision="fp16")).infer(x)[0]
        assert (got.argmax(1) == want.argmax(1)).mean() >= 0.875
