"""TensorRT plan cache rules, testable without TensorRT: keys, corrupt and mismatched plans."""

import dataclasses
import json

from cer_live.models.backends.plan_cache import PlanCache, PlanKey

KEY = PlanKey("ab" * 32, "10.9.0", "NVIDIA H100 80GB HBM3", "9.0", "fp16", (1, 8, 64))


def test_every_field_of_the_key_changes_the_plan_file(tmp_path):
    cache = PlanCache(tmp_path)
    changes = {
        "onnx_sha256": "cd" * 32,
        "tensorrt_version": "10.10.0",
        "gpu_name": "NVIDIA L4",
        "compute_capability": "8.9",
        "precision": "fp32",
        "batch_profile": (1, 8, 32),
    }
    paths = {cache.plan_path("m", KEY)}
    for field, value in changes.items():
        paths.add(cache.plan_path("m", dataclasses.replace(KEY, **{field: value})))
    assert len(paths) == 1 + len(changes)


def test_round_trip_and_no_temporary_files_left(tmp_path):
    cache = PlanCache(tmp_path / "trt")
    assert cache.load("member 'a'", KEY) is None
    path = cache.store("member 'a'", KEY, b"plan-bytes", "cer-live test")
    assert cache.load("member 'a'", KEY) == b"plan-bytes"
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["producer"] == "cer-live test" and meta["key"]["gpu_name"] == KEY.gpu_name
    assert not list((tmp_path / "trt").glob("*.tmp"))
    assert "member_a" in path.name  # labels become safe file names


def test_a_corrupt_plan_is_not_trusted(tmp_path):
    cache = PlanCache(tmp_path)
    path = cache.store("m", KEY, b"x" * 100, "t")
    path.write_bytes(b"x" * 50)  # truncated by a crash or a full disk
    assert cache.load("m", KEY) is None
    path.with_suffix(".json").write_text("{not json")
    assert cache.load("m", KEY) is None


def test_a_plan_whose_sidecar_names_another_setup_is_rebuilt(tmp_path):
    cache = PlanCache(tmp_path)
    path = cache.store("m", KEY, b"plan", "t")
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["key"]["tensorrt_version"] = "8.6.1"  # e.g. copied over from another machine
    path.with_suffix(".json").write_text(json.dumps(meta))
    assert cache.load("m", KEY) is None


def test_timing_cache_is_shared_per_gpu_and_version(tmp_path):
    cache = PlanCache(tmp_path)
    assert cache.load_timing(KEY) == b""
    cache.store_timing(KEY, b"timing")
    other_model = dataclasses.replace(KEY, onnx_sha256="ef" * 32)
    assert cache.load_timing(other_model) == b"timing"
    assert cache.load_timing(dataclasses.replace(KEY, gpu_name="NVIDIA L4")) == b""
