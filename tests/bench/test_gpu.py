"""GPU paths: skipped with a reason without a GPU; measured with one."""

import numpy as np
import pytest

from cer_live.bench import gpu


def test_probe_names_what_is_missing():
    probe = gpu.probe()
    if probe["gpu"] is None:
        assert "unmeasured" in probe["note"]


def test_cpu_timing_is_wall_clock():
    assert gpu.timer_for("cpu").kind == "wall_clock"
    assert gpu.timer_for("cpu").time(lambda: sum(range(1000))) >= 0


@pytest.mark.gpu
def test_shared_upload_matches_per_member_outputs():
    if gpu.gpu_name() is None:
        pytest.skip("no NVIDIA GPU")
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    del onnx
    batch = np.array([[-1.0, 0.5, 2.0]], np.float32)
    try:
        run = gpu.shared_upload_runner([model, model], batch)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    for out in run():
        np.testing.assert_allclose(out, np.maximum(batch, 0))
