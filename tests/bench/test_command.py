"""`cer-live bench` as a user runs it: a tiny real run, its schema, its plots, its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import cli

jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("matplotlib")

TINY = (
    "--repeats",
    "1",
    "--frames",
    "12",
    "--faces",
    "1,2",
    "--batch",
    "1,2",
    "--resolution",
    "320x180",
    "--backend",
    "onnxruntime",
    "--no-live",
)


def _structure(value: object) -> object:
    """Keys and types, not values: what must not change between two runs."""
    if isinstance(value, dict):
        return {k: _structure(v) for k, v in value.items() if k != "samples"}
    if isinstance(value, list):
        return [_structure(v) for v in value[:1]]
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, sample) -> list[tuple[Path, dict]]:
    sample("WolfgangLanger_Pexels.mp4")
    runs = []
    for i in range(2):
        out = tmp_path_factory.mktemp(f"bench{i}")
        done = cli("bench", *TINY, "--out", str(out), timeout=300)
        assert done.code == 0, done.stderr[-2000:]
        runs.append((out, json.loads((out / "bench.json").read_text())))
    return runs


def test_report_validates_against_its_schema(two_runs):
    from cer_live.bench.schema import SCHEMA

    out, report = two_runs[0]
    jsonschema.validate(report, SCHEMA)
    assert report["schema_version"] == 1
    assert report["machine"]["cores"] >= 1 and report["machine"]["cpu_model"]
    stages = report["stages"]["stages"]
    for stage in ("decode", "detect", "track", "align", "infer", "fuse", "ensemble", "smooth", "draw", "encode"):
        assert 1 <= stages[stage]["n"] <= stages[stage]["of_frames"], stage
    assert report["end_to_end"]["fps"]["pipeline"]["median"] > 0
    assert report["ratios"]["pipeline_vs_decode_alone"] > 0
    assert [row["faces"] for row in report["sweeps"]["faces"]] == [1, 2]
    # The tiled faces are real faces: the pipeline finds every one of them.
    assert [row["faces_found_per_frame"] for row in report["sweeps"]["faces"]] == [1.0, 2.0]
    # The default pack has no INT8 members: the report says how to get them, with no rows.
    precision = report["precision"]
    assert precision["status"] == "absent" and precision["members"] == []
    assert "packs quantize default" in precision["note"]
    # Each target with its figure; those this tiny run did not measure say so, never a guess.
    targets = {t["name"]: t for t in report["headline"]["targets"]}
    assert set(targets) == {
        "fps_8_faces_over_1",
        "fps_16_faces_over_1",
        "sinks_p50_ms_at_8_faces",
        "vs_peer_whole_process",
    }
    assert targets["fps_8_faces_over_1"]["measured"] is None and targets["fps_8_faces_over_1"]["met"] is None


def test_plots_are_non_empty_pngs(two_runs):
    out, report = two_runs[0]
    assert len(report["plots"]) == 5
    for name in report["plots"]:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name


def test_absent_peer_and_missing_gpu_are_said_not_hidden(two_runs):
    _, report = two_runs[0]
    peer = report["peer"]
    if peer["status"] == "absent":
        assert report["ratios"]["pipeline_vs_peer"] is None and "--peer-python" in peer["note"]
        assert report["ratios"]["whole_process_vs_peer"] is None
        assert "pip install --no-deps fer==" in peer["note"]  # how to make the peer's environment
    cuda = [e for e in report["sweeps"]["batch"] if e["device"] == "cuda"]
    assert cuda and all(e["status"] in ("measured", "skipped") and e["note"] for e in cuda)
    if report["machine"]["gpu"] is None:
        assert report["gpu"]["shared_upload"]["status"] == "skipped"
        assert "unmeasured" in report["gpu"]["shared_upload"]["note"]


def test_two_runs_give_the_same_structure(two_runs):
    (_, a), (_, b) = two_runs
    assert _structure(a) == _structure(b)


def test_an_existing_report_is_not_overwritten(two_runs):
    out, report = two_runs[0]
    before = (out / "bench.json").read_bytes()
    done = cli("bench", *TINY, "--out", str(out))
    assert done.code == 2 and "--force" in done.stderr
    assert (out / "bench.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--batch", "0"), "bad --batch '0'"),
        (("--resolution", "12"), "bad --resolution '12'"),
        (("--backend", "onnx,tpu"), "unknown backend 'onnx, tpu'"),
        (("--faces", "two"), "bad --faces 'two'"),
        (("--repeats", "0"), "bad --repeats 0"),
        (("--peer-python", "/nonexistent/bin/python"), "no Python interpreter at --peer-python"),
        (("--repeats", "1000000000"), "bad --repeats 1000000000; give a whole number of repeats, at least 1"),
        (("--threads", "0"), "bad --threads 0; give a whole number of threads"),
        (("--det-size", "0"), "bad --det-size 0; give a whole number of pixels"),
    ],
)
def test_bad_sweep_arguments_are_one_line_errors_before_anything_runs(tmp_path, args, says):
    out = tmp_path / "never"
    done = cli("bench", *args, "--out", str(out))
    assert done.code == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0], done.stderr
    assert not out.exists()
