"""The real command on real videos, as a user runs it."""

import json
from pathlib import Path

import cv2
import pytest

from .helpers import cli, count_video_frames, read_jsonl


@pytest.fixture(scope="module")
def wolfgang(tmp_path_factory, sample):
    out = tmp_path_factory.mktemp("wolfgang")
    result = cli("run", str(sample("WolfgangLanger_Pexels.mp4")), "--out", str(out))
    assert result.code == 0, result.stderr
    return out


def test_face_on_95_percent_of_frames_and_valid_jsonl(wolfgang: Path):
    rows = read_jsonl(wolfgang / "WolfgangLanger_Pexels.jsonl")
    assert rows[0]["type"] == "header" and rows[0]["producer"].startswith("cer-live")
    frames = {r["frame"] for r in rows[1:]}
    assert frames == set(range(472))
    with_face = {r["frame"] for r in rows if r["type"] == "face" and not r["fallback"]}
    assert len(with_face) / 472 >= 0.95
    for r in rows[1:]:
        if r["type"] == "face":
            assert sum(r["basic_raw"].values()) == pytest.approx(1.0, abs=1e-3)
            assert {"decode", "detect", "align", "infer", "post"} <= set(r["latency_ms"])
            assert r["label"] in r["compound"]


def test_annotated_video_has_every_frame(wolfgang: Path):
    assert count_video_frames(wolfgang / "WolfgangLanger_Pexels.mp4") == 472


def test_csv_and_summary(wolfgang: Path):
    lines = (wolfgang / "WolfgangLanger_Pexels.csv").read_text().splitlines()
    assert lines[0].startswith("image_location,Fearfully_Surprised")
    assert len(lines) - 1 >= 0.95 * 472
    assert all(0 <= int(l.rsplit(",", 1)[1]) <= 6 for l in lines[1:])
    summary = json.loads((wolfgang / "summary.json").read_text())
    (source,) = summary["sources"]
    assert source["frames"] == 472 and source["fps"] > 0
    assert set(source["outputs"]) == {"jsonl", "abaw_csv", "faces_csv", "video"}  # the faces table came with issue 11
    assert {"detect", "infer", "end_to_end"} <= set(source["latency_ms"])


def test_fallback_rows_only_within_the_age_bound(tmp_path, sample):
    result = cli("run", str(sample("face_noface.mov")), "--out", str(tmp_path), "--no-video", "--fallback-age", "8")
    assert result.code == 0, result.stderr
    rows = read_jsonl(tmp_path / "face_noface.jsonl")[1:]
    detected = sorted({r["frame"] for r in rows if r["type"] == "face" and not r["fallback"]})
    fallback = [r for r in rows if r["type"] == "face" and r["fallback"]]
    assert detected and fallback, "this clip has a face, then none"
    for r in fallback:
        assert r["fallback_from"] in detected
        assert abs(r["frame"] - r["fallback_from"]) <= 8
        assert min(abs(r["frame"] - d) for d in detected) == abs(r["frame"] - r["fallback_from"])
    # beyond the bound the frames are recorded as empty, not dropped
    empty = [r["frame"] for r in rows if r["type"] == "empty"]
    assert empty and all(min(abs(f - d) for d in detected) > 8 for f in empty)
    assert sorted({r["frame"] for r in rows}) == list(range(169))


def test_multi_face_five_faces_and_the_protagonist_is_the_largest(tmp_path, sample):
    result = cli("run", str(sample("multi_face.jpg")), "--out", str(tmp_path))
    assert result.code == 0, result.stderr
    faces = [r for r in read_jsonl(tmp_path / "multi_face.jsonl") if r["type"] == "face"]
    assert len(faces) == 5
    assert len({r["track"] for r in faces}) == 5
    # A single image gives an annotated picture at its size, not a one-frame video.
    assert not (tmp_path / "multi_face.mp4").exists()
    picture, original = cv2.imread(str(tmp_path / "multi_face.jpg")), cv2.imread(str(sample("multi_face.jpg")))
    assert picture.shape == original.shape
    assert "read as independent pictures" in result.stderr and "annotated pictures per source" in result.stdout

    def area(r):
        x1, y1, x2, y2 = r["box"]
        return (x2 - x1) * (y2 - y1)

    (lead,) = [r for r in faces if r["protagonist"]]
    assert area(lead) == max(area(r) for r in faces)
    only = tmp_path / "only"
    assert cli("run", str(sample("multi_face.jpg")), "--out", str(only), "--protagonist").code == 0
    (kept,) = [r for r in read_jsonl(only / "multi_face.jsonl") if r["type"] == "face"]
    assert kept["box"] == lead["box"]


def test_no_face_completes_without_face_rows(tmp_path, sample):
    result = cli("run", str(sample("no_face.mp4")), "--out", str(tmp_path))
    assert result.code == 0, result.stderr
    rows = read_jsonl(tmp_path / "no_face.jsonl")[1:]
    assert rows and all(r["type"] == "empty" for r in rows)
    assert (tmp_path / "no_face.csv").read_text().count("\n") == 1  # header only
    assert count_video_frames(tmp_path / "no_face.mp4") == len(rows)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_INPUTS = {
    "missing file": (lambda d, s: d / "nope.mp4", "no such file or folder"),
    "not a video": (lambda d, s: _write(d / "notes.mp4", b"just text\n" * 100), "cannot decode"),
    "zero-length video": (lambda d, s: _write(d / "zero.mp4", b""), "empty (0 bytes)"),
    "empty folder": (lambda d, s: (d / "empty").mkdir() or d / "empty", "holds no images or videos"),
    "corrupt image": (lambda d, s: _write(d / "face.jpg", b"\xff\xd8 broken"), "not a readable image"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gets_one_line_and_a_non_zero_exit(tmp_path, sample, case):
    make, message = BAD_INPUTS[case]
    result = cli("run", str(make(tmp_path, sample)), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert message in result.stderr
    assert_one_line_error(result.stderr)
    assert not (tmp_path / "out").exists()  # nothing written for input refused at start


def test_truncated_mp4_keeps_valid_outputs_and_fails(tmp_path, sample):
    data = sample("WolfgangLanger_Pexels.mp4").read_bytes()
    cut = _write(tmp_path / "cut.mp4", data[: len(data) // 3])
    result = cli("run", str(cut), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "truncated or corrupt" in result.stderr and "Traceback" not in result.stderr
    rows = read_jsonl(tmp_path / "out" / "cut.jsonl")[1:]
    assert 0 < len(rows) < 472
    assert count_video_frames(tmp_path / "out" / "cut.mp4") == len({r["frame"] for r in rows})
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["sources"][0]["error"]


def test_unwritable_output_folder(tmp_path, sample):
    blocker = _write(tmp_path / "file", b"x")
    result = cli("run", str(sample("single_face.jpg")), "--out", str(blocker / "out"))
    assert result.code == 2 and "choose another --out" in result.stderr
    assert_one_line_error(result.stderr)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        result = cli("run", str(sample("single_face.jpg")), "--out", str(ro / "out"))
        # root ignores permissions; everyone else gets the error
        assert result.code == 0 or ("not writable" in result.stderr or "cannot create" in result.stderr)
    finally:
        ro.chmod(0o700)


def test_unknown_and_corrupt_packs(tmp_path, sample):
    result = cli("run", str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), "--pack", "nope")
    assert result.code == 2 and "unknown pack 'nope'" in result.stderr
    assert_one_line_error(result.stderr)
    import shutil

    from cer_live.models.packs import find_pack, sha256

    pack = tmp_path / "broken"
    shutil.copytree(find_pack("default"), pack)
    garbage = b"not onnx at all" * 20
    (pack / "mini_xception_fer2013.onnx").write_bytes(garbage)
    result = cli("run", str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), "--pack", str(pack))
    assert result.code == 2 and "sha256" in result.stderr
    assert_one_line_error(result.stderr)
    manifest = json.loads((pack / "pack.json").read_text())
    manifest["members"][0]["sha256"] = sha256(garbage)
    (pack / "pack.json").write_text(json.dumps(manifest))
    result = cli("run", str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), "--pack", str(pack))
    assert result.code == 2 and "corrupt" in result.stderr
    assert_one_line_error(result.stderr)


def test_packs_list_and_show():
    listed = cli("packs", "list")
    assert listed.code == 0 and "default" in listed.stdout
    shown = cli("packs", "show", "default")
    assert shown.code == 0 and "valid" in shown.stdout and "mini_xception_fer2013" in shown.stdout


def assert_one_line_error(stderr: str) -> None:
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr


def test_run_options_default_to_the_run_configs_own_defaults():
    """Defaults are written once, in RunConfig; `cer-live run` with no options builds that config."""
    from cer_live.cli import _parser
    from cer_live.commands.run import config_from
    from cer_live.run.config import RunConfig

    built = config_from(_parser().parse_args(["run", "clip.mp4"]))
    assert built == RunConfig(("clip.mp4",))
