import numpy as np
import pytest

from cer_live.errors import BackendError
from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.packs import load_pack


def test_unknown_backend_is_named():
    with pytest.raises(BackendError, match="unknown backend 'tensorflow'.*onnxruntime"):
        backends.create("tensorflow", b"", BackendOptions())


def test_cuda_without_a_cuda_provider_says_what_to_install():
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this machine has the CUDA provider")
    with pytest.raises(BackendError, match="gpu extra"):
        backends.create(
            "onnxruntime",
            load_pack("default").members[0].model,
            BackendOptions(device="cuda"),
        )


def test_auto_runs_the_detector_with_dynamic_shapes():
    engine = backends.create("auto", load_pack("default").detector.model, BackendOptions(threads=1))
    for h, w in ((144, 256), (180, 320)):
        loc, conf, landmarks = engine.infer(np.zeros((2, 3, h, w), np.float32))
        priors = sum(-(-h // s) * -(-w // s) * 2 for s in (8, 16, 32))
        assert loc.shape == (2, priors, 4) and conf.shape == (2, priors, 2) and landmarks.shape == (2, priors, 10)
        assert np.allclose(conf.sum(axis=2), 1.0, atol=1e-4)  # already softmaxed


def _run_one_line_error(tmp_path, sample, *options: str) -> str:
    """`cer-live run` with bad backend options: exit 2, one line on stderr, nothing written."""
    from tests.helpers import cli

    result = cli("run", str(sample("single_face.jpg")), "--out", str(tmp_path), *options)
    assert result.code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert not any(tmp_path.iterdir())
    return result.stderr


def test_tensorrt_without_tensorrt_says_what_to_install(tmp_path, sample):
    import importlib.util

    if importlib.util.find_spec("tensorrt") is not None:
        pytest.skip("tensorrt is installed here")
    with pytest.raises(BackendError, match="backend 'tensorrt' is not installed .*install NVIDIA TensorRT"):
        backends.create("trt", load_pack("default").members[0].model, BackendOptions(device="cuda"))
    assert "install NVIDIA TensorRT" in _run_one_line_error(tmp_path, sample, "--backend", "trt", "--device", "cuda")


def test_unknown_backend_on_the_command_line_is_one_line(tmp_path, sample):
    assert "unknown backend 'openvino'" in _run_one_line_error(tmp_path, sample, "--backend", "openvino")


def test_torch_backend_refuses_a_model_without_torch_weights():
    pytest.importorskip("torchvision")
    with pytest.raises(BackendError, match="has no torch weights in its pack"):
        backends.create("torch", load_pack("default").members[0].source, BackendOptions())


def test_fp16_needs_an_fp16_file():
    with pytest.raises(BackendError, match="has no FP16 ONNX; re-export the pack with --fp16"):
        backends.create(
            "onnxruntime",
            load_pack("default").members[0].source,
            BackendOptions(precision="fp16"),
        )
