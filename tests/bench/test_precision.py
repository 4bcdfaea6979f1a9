"""`cer-live bench` on a pack with INT8 members: fp32 and INT8 rows from the same run, with the
manifest's agreement quoted (the default pack quantized: a real trained member, no torch)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli

jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("matplotlib")
pytest.importorskip("onnx")
pytestmark = pytest.mark.slow

QUICK = ("--repeats", "1", "--frames", "8", "--faces", "1", "--batch", "1", "--resolution", "320x180")


@pytest.fixture(scope="module")
def bench_int8(default_int8, tmp_path_factory):
    pack, _ = default_int8
    out = tmp_path_factory.mktemp("bench")
    done = cli(
        "bench", "--pack", str(pack), *QUICK, "--backend", "onnxruntime", "--no-live",
        "--out", str(out), timeout=300,
    )  # fmt: skip
    assert done.code == 0, done.stderr[-2000:]
    return pack, json.loads((out / "bench.json").read_text()), done.stdout


def test_int8_and_fp32_rows_come_from_the_same_run(bench_int8):
    from cer_live.bench.schema import SCHEMA

    pack, report, _ = bench_int8
    jsonschema.validate(report, SCHEMA)
    section = report["precision"]
    assert section["status"] == "measured"
    manifest = json.loads((pack / "pack.json").read_text())
    (row,) = section["members"]
    assert row["member"] == manifest["members"][0]["name"]
    for key in ("fp32_ms_per_face", "int8_ms_per_face"):
        assert row[key]["n"] >= 3 and row[key]["p50"] > 0 and row[key]["unit"] == "ms per face"
    assert row["int8_speedup"] == pytest.approx(
        row["fp32_ms_per_face"]["p50"] / row["int8_ms_per_face"]["p50"], rel=0.01
    )
    assert row["agreement"] == manifest["members"][0]["int8"]["agreement"]  # quoted, not made up
    assert section["fused_agreement"] == manifest["int8"]["fused"]
    growth = section["rss_growth_on_load_mb"]
    assert set(growth) == {"fp32", "int8"} and section["rss_mb_with_both_loaded"] > 0


def test_the_rows_are_printed(bench_int8):
    _, report, stdout = bench_int8
    assert "Members in fp32 and INT8" in stdout and "int8 speed-up" in stdout
    assert report["config"]["pack"] == "default8" and report["config"]["precision"] == ["int8"]
