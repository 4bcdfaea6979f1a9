"""`cer-live packs text-classes` end to end: random CLIP weights saved here (no download), a pack
built by the command, checked against open_clip's own text and image towers, and run on video."""

import hashlib
import json
import sys
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch

from cer_live.classes import BASIC_CLASSES, COMPOUND_CLASSES
from cer_live.export.class_text import default_classes_path, read_class_set
from cer_live.export.faces import collect_faces
from cer_live.faces.templates import ARCFACE_TEMPLATE, loosen
from cer_live.models import backends
from cer_live.models.backends import BackendOptions
from cer_live.models.packs import load_pack
from cer_live.models.preprocess import to_tensor
from tests.helpers import cli, read_jsonl

open_clip = pytest.importorskip("open_clip")
pytestmark = [pytest.mark.torch, pytest.mark.slow]

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def _build(folder, arch, *extra):
    """Random weights for `arch`, saved as a user's state dict, then the command builds a pack."""
    from cer_live.export.clip_weights import create_clip

    torch.manual_seed(0)
    model = create_clip(arch)
    weights = folder / f"{arch}.pt"
    torch.save(model.state_dict(), weights)
    args = ("--clip", arch, "--weights", str(weights), "--out", str(folder / "engines"), *extra)
    result = cli("packs", "text-classes", *args, timeout=900)
    assert result.code == 0, result.stderr
    return model, weights, result.stdout


@pytest.fixture(scope="module")
def vit_b32(tmp_path_factory):
    """The issue's case: an open_clip ViT-B-32 (151M parameters) and the bundled classes; built once."""
    folder = tmp_path_factory.mktemp("vit_b32")
    model, weights, stdout = _build(folder, "ViT-B-32", "--name", "words")
    pack = folder / "engines" / "words"
    member = json.loads((pack / "pack.json").read_text())["members"][0]
    return SimpleNamespace(model=model, weights=weights, stdout=stdout, pack=pack, member=member)


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory, sample):
    """The first eight frames of the sample video."""
    path = tmp_path_factory.mktemp("clip") / "short.mp4"
    capture = cv2.VideoCapture(str(sample("WolfgangLanger_Pexels.mp4")))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 24, (640, 360))
    for _ in range(8):
        ok, frame = capture.read()
        assert ok
        writer.write(frame)
    writer.release()
    capture.release()
    return path


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _text_embedding(model, tokenizer, descriptions):
    with torch.no_grad():
        encoded = model.encode_text(tokenizer(list(descriptions))).float().numpy()
    return _unit(_unit(encoded).mean(axis=0))


def _stored(member):
    return {c["name"]: np.asarray(c["embedding"], np.float32) for c in member["text_classes"]["classes"]}


def test_the_pack_runs_on_the_sample_video(vit_b32, short_clip, tmp_path):
    assert "pack written to" in vit_b32.stdout
    result = cli("run", str(short_clip), "--pack", str(vit_b32.pack), "--out", str(tmp_path / "o"))
    assert result.code == 0, result.stderr
    faces = [r for r in read_jsonl(tmp_path / "o" / "short.jsonl") if r["type"] == "face"]
    assert len(faces) == 8
    for face in faces:
        assert list(face["compound"]) == list(COMPOUND_CLASSES) and face["label"] in COMPOUND_CLASSES
        assert list(face["basic"]) == list(BASIC_CLASSES)  # the member's second output
        assert abs(sum(face["compound_raw"].values()) - 1) < 1e-3 and abs(sum(face["basic_raw"].values()) - 1) < 1e-3
        assert list(face["members"]) == ["clip_vit_b_32"]


def test_the_manifest_holds_descriptions_weights_hash_and_parity(vit_b32):
    member, text = vit_b32.member, vit_b32.member["text_classes"]
    assert text["weights"]["sha256"] == hashlib.sha256(vit_b32.weights.read_bytes()).hexdigest()
    toml = tomllib.loads(default_classes_path().read_text())
    assert [(c["name"], c["descriptions"]) for c in text["classes"]] == [
        (c["name"], c["descriptions"]) for c in toml["basic"] + toml["compound"]
    ]
    assert member["input"] == {
        "size": [224, 224],
        "colour": "rgb",
        "mean": list(open_clip.OPENAI_DATASET_MEAN),
        "std": list(open_clip.OPENAI_DATASET_STD),
    }
    assert member["verification"]["fp32"]["max_abs_diff"] <= 1e-4
    assert member["verification"]["fp32_basic"]["max_abs_diff"] <= 1e-4
    with torch.no_grad():
        assert text["logit_scale"] == pytest.approx(float(vit_b32.model.logit_scale.detach().exp()))


def test_stored_embeddings_are_the_text_encoders_output_for_the_descriptions(vit_b32):
    tokenizer = open_clip.get_tokenizer("ViT-B-32")
    stored = _stored(vit_b32.member)
    for c in read_class_set(default_classes_path()).basic:
        np.testing.assert_allclose(stored[c.name], _text_embedding(vit_b32.model, tokenizer, c.descriptions), atol=1e-5)


def test_compound_by_mean_is_the_normalised_mean_of_the_two_basic_embeddings(vit_b32):
    stored = _stored(vit_b32.member)
    for c in read_class_set(default_classes_path()).compound:
        a, b = c.of
        np.testing.assert_allclose(stored[c.name], _unit((stored[a] + stored[b]) / 2), atol=1e-6)
        assert np.linalg.norm(stored[c.name]) == pytest.approx(1, abs=1e-6)


def test_onnx_member_matches_the_torch_clip_on_the_same_crops(vit_b32, sample):
    """Independent of the builder's own check: torch here, from the stored embeddings, vs the ONNX."""
    spec = load_pack(str(vit_b32.pack)).members[0]
    crops = collect_faces(
        [sample("multi_face.jpg"), sample("single_face.jpg")], 8, loosen(ARCFACE_TEMPLATE, 0.8), spec.size
    )
    x = to_tensor(crops, spec.colour, spec.mean, spec.std)
    stored = _stored(vit_b32.member)
    compound = np.stack([stored[n] for n in spec.classes])
    basic = np.stack([stored[n] for n in spec.basic_classes])
    with torch.no_grad():
        image = _unit(vit_b32.model.encode_image(torch.from_numpy(x)).numpy().astype(np.float64))
    scale = float(vit_b32.model.logit_scale.detach().exp())
    engine = backends.create("onnxruntime", spec.model, BackendOptions(threads=2))
    got = engine.infer(x)
    engine.close()
    for out, classes in zip(got, (compound, basic), strict=True):
        logits = scale * image @ classes.T
        want = np.exp(logits - logits.max(1, keepdims=True))
        want /= want.sum(1, keepdims=True)
        assert np.abs(out - want).max() <= 1e-4


@pytest.fixture(scope="module")
def fused_small(tmp_path_factory):
    """A smaller CLIP (ViT-S-32), one compound by its own descriptions, fused with the default pack's CNN."""
    folder = tmp_path_factory.mktemp("vit_s32")
    text = default_classes_path().read_text()
    own = '[[compound]]\nname = "Happily Surprised"\nof = ["happy", "surprise"]\nrule = "mean"'
    assert own in text
    classes = folder / "classes.toml"
    classes.write_text(text.replace(own, own.replace('rule = "mean"', 'rule = "descriptions"')))
    extra = ("--classes", str(classes), "--name", "fused", "--with-pack", "default", "--fusion", "weighted_mean")
    model, weights, _ = _build(folder, "ViT-S-32", *extra)
    return SimpleNamespace(model=model, weights=weights, classes=classes, pack=folder / "engines" / "fused")


def test_a_compound_with_rule_descriptions_encodes_its_own_descriptions(fused_small):
    stored = _stored(json.loads((fused_small.pack / "pack.json").read_text())["members"][1])
    tokenizer = open_clip.get_tokenizer("ViT-S-32")
    compounds = {c.name: c for c in read_class_set(fused_small.classes).compound}
    mine = compounds.pop("Happily Surprised")
    np.testing.assert_allclose(
        stored[mine.name], _text_embedding(fused_small.model, tokenizer, mine.descriptions), atol=1e-5
    )
    for c in compounds.values():  # the others keep the mean rule
        np.testing.assert_allclose(stored[c.name], _unit((stored[c.of[0]] + stored[c.of[1]]) / 2), atol=1e-6)


def test_fused_with_the_cnn_member_in_one_pack(fused_small, short_clip, tmp_path):
    pack = load_pack(str(fused_small.pack))
    assert [m.name for m in pack.members] == ["mini_xception_fer2013", "clip_vit_s_32"]
    assert pack.fusion == "weighted_mean"
    result = cli("run", str(short_clip), "--pack", str(fused_small.pack), "--out", str(tmp_path / "o"))
    assert result.code == 0, result.stderr
    faces = [r for r in read_jsonl(tmp_path / "o" / "short.jsonl") if r["type"] == "face"]
    assert faces and all(list(f["members"]) == ["mini_xception_fer2013", "clip_vit_s_32"] for f in faces)
    # the fused score is the mean of the two members' own (weights 1 and 1)
    for f in faces:
        mean = np.mean([m["compound"] for m in f["members"].values()], axis=0)
        np.testing.assert_allclose(list(f["compound_raw"].values()), mean, atol=2e-5)


def test_weights_that_do_not_fit_are_one_line_errors(fused_small, tmp_path):
    out = ("--name", "x", "--out", str(tmp_path / "engines"))
    for clip, weights, message in (
        ("ViT-B-32", fused_small.weights, "does not fit ViT-B-32"),
        ("ViT-Q-99", fused_small.weights, "unknown --clip 'ViT-Q-99'"),
        ("ViT-S-32", fused_small.classes, "cannot read --weights 'classes.toml'"),
    ):
        result = cli("packs", "text-classes", "--clip", clip, "--weights", str(weights), *out)
        assert result.code == 2 and message in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert not (tmp_path / "engines").exists()
