import json
import shutil
from pathlib import Path

import pytest

from cer_live.errors import BackendError, PackError
from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.packs import find_pack, list_packs, load_pack, sha256

DEFAULT = find_pack("default")


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "mypack"
    shutil.copytree(DEFAULT, target)
    return target


def edit_manifest(pack: Path, change) -> None:
    manifest = json.loads((pack / "pack.json").read_text())
    change(manifest)
    (pack / "pack.json").write_text(json.dumps(manifest))


def test_default_pack_loads_and_says_everything_the_runtime_needs():
    pack = load_pack("default")
    assert "default" in [p.name for p in list_packs()]
    (member,) = pack.members
    assert member.size == (64, 64) and member.colour == "gray"
    assert member.output_kind == "basic_probabilities"
    assert member.classes == ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    assert sha256((DEFAULT / "mini_xception_fer2013.onnx").read_bytes()) == member.sha256
    assert (DEFAULT / "LICENSE").read_text().count("MIT") >= 2


def test_unknown_pack_names_the_known_ones():
    with pytest.raises(PackError, match=r"unknown pack 'nope' \(known: .*default"):
        load_pack("nope")


def test_tampered_model_is_refused(pack_copy: Path):
    onnx = pack_copy / "mini_xception_fer2013.onnx"
    data = bytearray(onnx.read_bytes())
    data[-1] ^= 0xFF
    onnx.write_bytes(bytes(data))
    with pytest.raises(PackError, match="sha256 .* the file was changed"):
        load_pack(str(pack_copy))


def test_missing_model_file_is_refused(pack_copy: Path):
    (pack_copy / "mini_xception_fer2013.onnx").unlink()
    with pytest.raises(PackError, match="file 'mini_xception_fer2013.onnx' is missing"):
        load_pack(str(pack_copy))


def test_corrupt_onnx_with_a_matching_hash_fails_at_load_not_mid_run(pack_copy: Path):
    garbage = b"\x08\x07this is not an onnx model" * 10
    (pack_copy / "mini_xception_fer2013.onnx").write_bytes(garbage)
    edit_manifest(pack_copy, lambda m: m["members"][0].update(sha256=sha256(garbage)))
    with pytest.raises(PackError, match="member 'mini_xception_fer2013'.*corrupt or not ONNX"):
        load_pack(str(pack_copy))


def test_backend_rejects_a_corrupt_model_in_one_line():
    with pytest.raises(BackendError, match="cannot load member 'x' with onnxruntime.*corrupt"):
        backends.create("onnxruntime", b"\x08\x07not a model" * 10, BackendOptions(), label="member 'x'")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(format="other/9"), "format 'other/9'"),
        (lambda m: m.pop("members"), "missing 'members'"),
        (lambda m: m["members"][0]["input"].update(colour="cmyk"), "colour 'cmyk'"),
        (lambda m: m["members"][0]["input"].update(mean=[0.5, 0.5, 0.5]), "mean/std need 1"),
        (lambda m: m["members"][0]["output"].update(kind="logits"), "output kind 'logits'"),
        (lambda m: m["members"][0]["output"].update(classes=["happy", "sad"]), "must be drawn from"),
        (lambda m: m["members"][0]["alignment"].update(template="dlib"), "template 'dlib'"),
        (lambda m: m.update(fusion="max"), "unknown rule 'max'"),
        (lambda m: m["detector"].update(sha256="0" * 64), "detector: retinaface.weights:WEIGHTS sha256"),
    ],
)
def test_malformed_manifests_get_one_line_errors(pack_copy: Path, change, message):
    edit_manifest(pack_copy, change)
    with pytest.raises(PackError, match=message) as info:
        load_pack(str(pack_copy))
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("pack 'mypack'")


def test_manifest_that_is_not_json(pack_copy: Path):
    (pack_copy / "pack.json").write_text("{not json")
    with pytest.raises(PackError, match="not valid JSON"):
        load_pack(str(pack_copy))


def test_wrong_input_shape_is_caught_at_load(pack_copy: Path):
    edit_manifest(pack_copy, lambda m: m["members"][0]["input"].update(size=[48, 48]))
    with pytest.raises(PackError, match=r"the ONNX input is batchx1x64x64 but the manifest says batch x 1x48x48"):
        load_pack(str(pack_copy))
    edit_manifest(
        pack_copy, lambda m: m["members"][0]["input"].update(size=[64, 64], colour="bgr", mean=[0.5] * 3, std=[0.5] * 3)
    )
    with pytest.raises(PackError, match="batch x 3x64x64"):
        load_pack(str(pack_copy))


def test_class_order_mismatch_is_caught_at_load(pack_copy: Path):
    def swap(m):
        classes = m["members"][0]["output"]["classes"]
        classes[0], classes[3] = classes[3], classes[0]

    edit_manifest(pack_copy, swap)
    with pytest.raises(
        PackError, match="class order in the manifest .* differs from the model's own .*labels would be swapped"
    ):
        load_pack(str(pack_copy))


def test_missing_optional_member_files_are_named(pack_copy: Path):
    edit_manifest(pack_copy, lambda m: m["members"][0].update(fp16={"file": "gone.fp16.onnx", "sha256": "0" * 64}))
    with pytest.raises(PackError, match="fp16: file 'gone.fp16.onnx' is missing"):
        load_pack(str(pack_copy))
    (pack_copy / "gone.fp16.onnx").write_bytes(b"changed")
    pack = load_pack(str(pack_copy))
    with pytest.raises(PackError, match="'gone.fp16.onnx' sha256 is .* the file was changed"):
        pack.members[0].fp16.read()


def test_listing_reads_the_manifest_only(pack_copy: Path):
    from cer_live.models.packs import read_listing

    (pack_copy / "mini_xception_fer2013.onnx").write_bytes(b"changed")  # only a full check would see it
    line = read_listing(pack_copy)
    assert line.split("\t")[:2] == ["default", "1 member(s)"]
    (pack_copy / "pack.json").write_text("{not json")
    assert "INVALID" in read_listing(pack_copy)


def test_python_bytes_are_read_without_importing_the_module(pack_copy: Path, tmp_path: Path, monkeypatch):
    import sys

    package = tmp_path / "site" / "trap"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise SystemExit('imported!')\n")
    detector = load_pack("default").detector.model.read()
    (package / "weights.py").write_text(f"import os\nos._exit(3)\nWEIGHTS = {detector!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    edit_manifest(pack_copy, lambda m: m["detector"].update(python_bytes="trap.weights:WEIGHTS"))
    pack = load_pack(str(pack_copy))  # checks the sha256 of the literal, runs nothing
    assert pack.detector.model.read() == detector
    assert "trap" not in sys.modules and "trap.weights" not in sys.modules
    edit_manifest(pack_copy, lambda m: m["detector"].update(sha256="0" * 64))
    with pytest.raises(PackError, match="sha256"):
        load_pack(str(pack_copy))


@pytest.mark.parametrize("where", ["member", "fp16", "torch", "detector"])
@pytest.mark.parametrize("kind", ["absolute", "dotdot", "symlink"])
def test_a_manifest_path_that_escapes_the_pack_is_refused(pack_copy: Path, tmp_path: Path, where, kind):
    outside = tmp_path / "outside" / "model.onnx"
    outside.parent.mkdir()
    shutil.copy(pack_copy / "mini_xception_fer2013.onnx", outside)
    digest = sha256(outside.read_bytes())
    if kind == "symlink":
        (pack_copy / "link.onnx").symlink_to(outside)
    name = {"absolute": str(outside), "dotdot": "../outside/model.onnx", "symlink": "link.onnx"}[kind]

    def change(m):
        entry = {"file": name, "sha256": digest}
        if where == "member":
            m["members"][0].update(entry)
        elif where == "detector":
            m["detector"].pop("python_bytes")
            m["detector"].update(entry)
        else:
            m["members"][0][where] = {**entry, **({"arch": "resnet18"} if where == "torch" else {})}

    edit_manifest(pack_copy, change)
    with pytest.raises(PackError, match="not a path inside the pack|leads outside the pack") as caught:
        load_pack(str(pack_copy))
    assert digest[:12] not in str(caught.value)


def test_a_manifest_naming_etc_passwd_never_prints_its_digest(pack_copy: Path):
    edit_manifest(pack_copy, lambda m: m["members"][0].update(file="/etc/passwd"))
    with pytest.raises(PackError, match="'/etc/passwd' is not a path inside the pack") as caught:
        load_pack(str(pack_copy))
    assert sha256(Path("/etc/passwd").read_bytes())[:12] not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(fusoin="mean"), r"pack.json: unknown key 'fusoin' \(did you mean 'fusion'\?\)"),
        (lambda m: m["members"][0].update(wieght=2), r"unknown key 'wieght' \(did you mean 'weight'\?\)"),
        (
            lambda m: m["members"][0]["input"].update(color="gray"),
            r"input: unknown key 'color' \(did you mean 'colour'\?\)",
        ),
        (lambda m: m["detector"].update(zzz=1), r"detector: unknown key 'zzz' \(known keys: kind, "),
    ],
)
def test_an_unknown_manifest_key_names_the_nearest_known_one(pack_copy: Path, change, message):
    edit_manifest(pack_copy, change)
    with pytest.raises(PackError, match=message):
        load_pack(str(pack_copy))


def test_the_current_folder_never_shadows_an_installed_pack(pack_copy: Path, tmp_path: Path, monkeypatch, caplog):
    work = tmp_path / "work"
    (work / "engines").mkdir(parents=True)
    shutil.copytree(pack_copy, work / "engines" / "default")
    shutil.copytree(pack_copy, work / "default")
    monkeypatch.chdir(work)
    monkeypatch.delenv("CER_LIVE_PACKS", raising=False)
    with caplog.at_level("WARNING", logger="cer_live.models.packs"):
        found = find_pack("default")
    assert found.resolve() == DEFAULT.resolve()
    assert "pack 'default' is in several places; using" in caplog.text and str(work / "default") in caplog.text
    # A name found only here is still found, and a path always means that folder.
    shutil.copytree(pack_copy, work / "engines" / "mine")
    assert find_pack("mine") == Path.cwd() / "engines" / "mine"
    assert find_pack("./default").resolve() == (work / "default").resolve()
