"""`cer-live packs quantize` on the default pack (a real trained FER2013 member, no torch needed),
and `--precision int8` in `cer-live run`."""

import json

import pytest

from cer_live.errors import QuantizeError
from cer_live.export.int8_pack import QuantizeOptions, quantize_pack
from tests.helpers import cli, read_jsonl

pytestmark = pytest.mark.slow
pytest.importorskip("onnx")


def test_the_quantized_pack_records_method_calibration_and_agreement(default_int8):
    path, done = default_int8
    assert "fused label" in done.stdout and "mini_xception_fer2013" in done.stdout
    manifest = json.loads((path / "pack.json").read_text())
    int8 = manifest["int8"]
    assert int8["method"]["format"] == "QDQ" and "per output channel" in int8["method"]["weights"]
    assert int8["calibration"]["faces"] >= 32 and int8["held_out"]["faces"] >= 8
    assert int8["calibration"]["sha256"] != int8["held_out"]["sha256"]
    assert int8["quantized_from"]["pack"] == "default"
    assert "depthwise" in int8["method"]["batchnorm"]
    member = manifest["members"][0]
    agreement = member["int8"]["agreement"]
    assert agreement["faces"] == int8["held_out"]["faces"]
    assert 0.98 <= agreement["top1_agreement"] <= 1.0 and 0.0 <= agreement["max_abs_delta_p"] < 0.2
    assert (path / member["int8"]["file"]).stat().st_size < (path / member["file"]).stat().st_size


@pytest.mark.parametrize("precision", ["int8", "auto"])
def test_run_records_the_int8_files_and_precision_that_ran(default_int8, sample, tmp_path, precision):
    path, _ = default_int8
    done = cli(
        "run", str(sample("multi_face.jpg")), "--pack", str(path), "--precision", precision,
        "--out", str(tmp_path / "o"), "--no-video",
    )  # fmt: skip
    assert done.code == 0, done.stderr[-2000:]
    records = read_jsonl(tmp_path / "o" / "multi_face.jsonl")
    rows = [r for r in records if r["type"] == "face"]
    assert len(rows) >= 3 and all(r["label"] for r in rows)
    manifest = json.loads((path / "pack.json").read_text())["members"][0]
    header = records[0]
    assert header["members"] == [{"name": manifest["name"], "precision": "int8", "sha256": manifest["int8"]["sha256"]}]
    assert manifest["int8"]["sha256"] != manifest["sha256"]
    settings = json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]
    assert settings["precision"] == "int8" and settings["precision_asked"] == precision
    # One member: nothing to run side by side, so it has both threads.
    assert settings["member_threads"] == {"members_at_once": 1, "threads_per_member": 2}
    assert header["settings"] == settings


def test_run_in_fp32_records_the_fp32_file(default_int8, sample, tmp_path):
    path, _ = default_int8
    done = cli(
        "run", str(sample("single_face.jpg")), "--pack", str(path), "--precision", "fp32",
        "--out", str(tmp_path / "o"), "--no-video",
    )  # fmt: skip
    assert done.code == 0, done.stderr[-2000:]
    manifest = json.loads((path / "pack.json").read_text())["members"][0]
    header = read_jsonl(tmp_path / "o" / "single_face.jsonl")[0]
    assert header["members"][0]["sha256"] == manifest["sha256"] and header["members"][0]["precision"] == "fp32"


def test_precision_int8_on_a_pack_without_int8_members_is_one_line(sample, tmp_path):
    done = cli("run", str(sample("single_face.jpg")), "--precision", "int8", "--out", str(tmp_path / "o"), "--no-video")
    assert done.code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no INT8 variant" in lines[0] and "packs quantize" in lines[0]
    assert not (tmp_path / "o").exists()


def test_a_member_below_the_limit_is_refused_unless_forced(sample, tmp_path):
    options = QuantizeOptions(
        "default", (sample("WolfgangLanger_Pexels.mp4"),), "strict", tmp_path, faces=24, min_agreement=1.01
    )
    with pytest.raises(QuantizeError, match=r"member 'mini_xception_fer2013'.*limit 101.0%.*--force") as caught:
        quantize_pack(options)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # neither the pack nor its staging folder
    kept = quantize_pack(QuantizeOptions(**{**options.__dict__, "force": True}))
    assert not kept.members[0].accepted
    manifest = json.loads((kept.path / "pack.json").read_text())
    assert manifest["members"][0]["int8"]["agreement"]["below_limit_kept"] and manifest["int8"]["forced"]


def test_bad_arguments_are_one_line_errors(sample, tmp_path):
    video = str(sample("WolfgangLanger_Pexels.mp4"))
    for args, words in (
        (("--min-agreement", "1.5"), "--min-agreement"),
        (("--faces", "3"), "--faces"),
        (("--out", str(tmp_path)), "not found"),
    ):
        calibration = str(tmp_path / "missing.mp4") if words == "not found" else video
        done = cli("packs", "quantize", "default", "--calibration", calibration, "--name", "x", *args)
        assert done.code == 2 and len(done.stderr.strip().splitlines()) == 1 and words in done.stderr, done.stderr
    assert not (tmp_path / "x").exists()
