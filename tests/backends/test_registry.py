import numpy as np
import pytest

from cer_live import backends
from cer_live.backends import BackendOptions
from cer_live.errors import BackendError
from cer_live.packs import load_pack


def test_unknown_backend_is_named():
    with pytest.raises(BackendError, match="unknown backend 'tensorflow'.*onnxruntime"):
        backends.create("tensorflow", b"", BackendOptions())


def test_cuda_without_a_cuda_provider_says_what_to_install():
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this machine has the CUDA provider")
    with pytest.raises(BackendError, match="gpu extra"):
        backends.create("onnxruntime", load_pack("default").members[0].model, BackendOptions(device="cuda"))


def test_auto_runs_the_detector_with_dynamic_shapes():
    engine = backends.create("auto", load_pack("default").detector.model, BackendOptions(threads=1))
    for h, w in ((144, 256), (180, 320)):
        loc, conf, landmarks = engine.infer(np.zeros((2, 3, h, w), np.float32))
        priors = sum(-(-h // s) * -(-w // s) * 2 for s in (8, 16, 32))
        assert loc.shape == (2, priors, 4) and conf.shape == (2, priors, 2) and landmarks.shape == (2, priors, 10)
        assert np.allclose(conf.sum(axis=2), 1.0, atol=1e-4)  # already softmaxed
