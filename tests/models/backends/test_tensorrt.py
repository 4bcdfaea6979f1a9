"""TensorRT backend: runs where `tensorrt`, cuda-python and a GPU are present; skips elsewhere."""

import numpy as np
import pytest

from cer_live.models import backends
from cer_live.models.backends import BackendOptions, ModelSource
from cer_live.models.packs import load_pack

trt = pytest.importorskip("tensorrt", reason="TensorRT is not installed (NVIDIA's own package index)")
pytest.importorskip("cuda", reason="cuda-python is not installed")
pytestmark = pytest.mark.gpu


def _member():
    spec = load_pack("default").members[0]
    return spec, ModelSource(onnx=spec.model, label="member 'mini'")


def test_fp16_engine_matches_onnxruntime_and_is_cached(tmp_path):
    spec, source = _member()
    x = np.random.default_rng(0).random((8, 1, 64, 64), np.float32)
    want = backends.create("onnxruntime", spec.model, BackendOptions()).infer(x)[0]
    options = BackendOptions(device="cuda", precision="fp16", max_batch=16, cache_dir=tmp_path)
    engine = backends.create("tensorrt", source, options)
    got = engine.infer(x)[0]
    assert got.shape == want.shape and (got.argmax(1) == want.argmax(1)).mean() >= 0.875
    assert np.abs(got - want).max() < 2e-2
    assert engine.infer(np.concatenate([x, x, x]))[0].shape == (
        24,
        7,
    )  # beyond the profile: chunked
    engine.close()
    plans = list(tmp_path.glob("*.plan"))
    assert len(plans) == 1 and list(tmp_path.glob("timing-*.cache"))
    stamp = plans[0].stat().st_mtime_ns
    backends.create("tensorrt", source, options).close()  # second load: from the cache
    assert plans[0].stat().st_mtime_ns == stamp


def test_a_corrupt_plan_is_rebuilt(tmp_path):
    _, source = _member()
    options = BackendOptions(device="cuda", precision="fp16", max_batch=8, cache_dir=tmp_path)
    backends.create("tensorrt", source, options).close()
    plan = next(tmp_path.glob("*.plan"))
    plan.write_bytes(plan.read_bytes()[: plan.stat().st_size // 2])
    engine = backends.create("tensorrt", source, options)
    assert engine.infer(np.zeros((1, 1, 64, 64), np.float32))[0].shape == (1, 7)
    engine.close()
    assert plan.stat().st_size > 0 and len(list(tmp_path.glob("*.plan"))) == 1
