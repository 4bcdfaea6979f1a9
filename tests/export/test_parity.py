"""The parity check must be able to fail: wrong models and wrong figures are rejected."""

import numpy as np
import pytest
from onnx import numpy_helper

from cer_live.errors import ParityError
from cer_live.export.build import ExportOptions, face_tensors
from cer_live.export.onnx_export import to_onnx
from cer_live.export.parity import check_member, float64_probs, onnx_probs, torch_probs
from cer_live.export.random_init import random_member

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def faces():
    return face_tensors(ExportOptions(name="unused", parity_faces=64))


def test_real_aligned_faces_are_collected(faces):
    assert faces.shape == (64, 3, 224, 224) and faces.dtype == np.float32
    assert 0.05 < float(faces.std()) < 0.5  # real pixels, not a blank frame


def test_a_correct_export_passes_and_a_wrong_one_is_rejected(faces):
    model = random_member("resnet18", 7, faces)
    good = to_onnx(model, (224, 224), {}).SerializeToString()
    reference = torch_probs(model, faces)
    report = check_member("resnet18", reference, onnx_probs(good, faces), None)
    assert report["fp32"]["max_abs_diff"] < 1e-4

    # The same architecture with one weight tensor nudged: an export that is subtly wrong.
    proto = to_onnx(model, (224, 224), {})
    init = next(t for t in proto.graph.initializer if numpy_helper.to_array(t).ndim == 4)
    arr = numpy_helper.to_array(init).copy()
    arr *= 1.02
    init.CopyFrom(numpy_helper.from_array(arr, init.name))
    wrong = onnx_probs(proto.SerializeToString(), faces)
    with pytest.raises(ParityError, match="fp32 ONNX differs from torch"):
        check_member(
            "resnet18",
            reference,
            wrong,
            None,
            exact=lambda: float64_probs(model, faces),
        )


def _clear_faces(count: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    reference = rng.dirichlet(np.ones(7), count)
    reference[:, 0] += 1.0  # class 0 leads every face by far more than the tie margin
    return reference / reference.sum(1, keepdims=True)


def test_fp16_disagreement_fails_for_trained_members_only(faces):
    reference = _clear_faces(64)
    flipped = reference.copy()
    flipped[0] = np.roll(flipped[0], 1)  # one clear face of 64 changes its top-1: 98.4% < 99.5%
    with pytest.raises(ParityError, match="fp16 ONNX agrees with torch on top-1 for 98.4% of the 64 faces"):
        check_member("m", reference, reference, flipped)
    report = check_member("m", reference, reference, flipped, enforce_fp16=False)
    assert report["fp16"]["top1_agreement"] == pytest.approx(63 / 64) and report["fp16"]["enforced"] is False


def test_a_flipped_near_tie_is_rounding_not_a_failed_export():
    reference = _clear_faces(64)
    reference[0, :2] = [0.401, 0.399]  # torch itself barely decides this face
    reference[0, 2:] = 0.2 / 5
    flipped = reference.copy()
    flipped[0, :2] = [0.399, 0.401]
    report = check_member("m", reference, reference, flipped)
    assert report["fp16"]["top1_agreement"] == pytest.approx(63 / 64)
    assert report["fp16"]["decisive_faces"] == 63 and report["fp16"]["decisive_top1_agreement"] == 1.0


def test_fp16_overflow_fails_even_where_every_face_is_a_near_tie():
    reference = np.full((64, 7), 1 / 7)  # nothing decisive to judge top-1 on
    overflowed = reference.copy()
    overflowed[5] = np.nan
    with pytest.raises(ParityError, match="non-finite scores on 1 of 64 faces"):
        check_member("m", reference, reference, overflowed)


def test_too_few_faces_is_an_error():
    p = np.full((10, 7), 1 / 7)
    with pytest.raises(ParityError, match="at least 64 aligned faces"):
        check_member("m", p, p, None)


def test_float32_noise_is_told_apart_from_a_wrong_export():
    """Above 1e-4 the float64 referee decides: ONNX as close to it as torch passes."""
    truth = np.full((64, 7), 1 / 7)
    reference = truth + 2e-4  # torch fp32's own error
    close = truth - 1.5e-4  # ONNX's error: no worse than torch's
    report = check_member("m", reference, close, None, exact=lambda: truth)
    assert report["fp32"]["within_float32_noise"] is True
    far = truth + 3e-3
    with pytest.raises(ParityError):
        check_member("m", reference, far, None, exact=lambda: truth)


def test_nan_output_fails_parity():
    p = np.full((64, 7), 1 / 7)
    broken = p.copy()
    broken[5] = np.nan
    with pytest.raises(ParityError, match="fp32 ONNX differs"):
        check_member("m", p, broken, None)
