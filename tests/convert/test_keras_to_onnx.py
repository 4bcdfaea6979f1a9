"""The conversion recipe's check, rerun: our ONNX graph against an independent numpy pass."""

import numpy as np
import pytest

pytest.importorskip("h5py")
pytest.importorskip("onnx")

from cer_live.convert.keras_model import read_keras_h5, same_pads  # noqa: E402
from cer_live.convert.keras_numpy import forward  # noqa: E402
from cer_live.convert.keras_to_onnx import to_onnx  # noqa: E402
from cer_live.models.backends import BackendOptions, create  # noqa: E402
from cer_live.models.packs import load_pack, sha256  # noqa: E402


@pytest.fixture(scope="module")
def model(sample):
    return read_keras_h5(sample("emotion_model.hdf5"))


def test_tensorflow_same_padding_puts_the_extra_pixel_at_the_end():
    assert same_pads(64, 3, 1) == (1, 1)
    assert same_pads(64, 3, 2) == (0, 1)  # out 32: (31 * 2 + 3) - 64 = 1 -> (0, 1)
    assert same_pads(5, 1, 1) == (0, 0)


def test_onnx_matches_numpy_reference(model):
    session = create("onnxruntime", to_onnx(model).SerializeToString(), BackendOptions(1))
    x = np.random.default_rng(1).uniform(-1, 1, (8, 1, 64, 64)).astype(np.float32)
    ours = session.infer(x)[0]
    ref = forward(model, x.transpose(0, 2, 3, 1))
    assert ours.shape == (8, 7)
    assert np.abs(ours - ref).max() < 1e-4
    assert (ours.argmax(1) == ref.argmax(1)).all()
    assert ours.sum(axis=1) == pytest.approx(np.ones(8), abs=1e-5)


def test_committed_model_is_what_the_recipe_builds(model):
    """The pack's ONNX file computes the same function as a fresh conversion."""
    member = load_pack("default").members[0]
    fresh = create("onnxruntime", to_onnx(model).SerializeToString(), BackendOptions(1))
    shipped = create("onnxruntime", member.model, BackendOptions(1))
    x = np.random.default_rng(2).uniform(-1, 1, (4, 1, 64, 64)).astype(np.float32)
    assert np.abs(fresh.infer(x)[0] - shipped.infer(x)[0]).max() < 1e-6
    assert sha256(member.model.read()) == member.sha256
