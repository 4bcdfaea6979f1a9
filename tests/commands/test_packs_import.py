"""`cer-live packs import hsemotion` on a stand-in made here: an EfficientNet-B0 with random weights,
exported as the HSEmotion `_mtl` files are (input `input`, 224x224, dynamic batch, 8 logits then
valence and arousal), imported with the command and run on a short clip of the sample video."""

import csv
import hashlib
import json
import warnings

import cv2
import numpy as np
import pytest

from tests.helpers import cli, read_jsonl
from tests.sources.media import write_vfr

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

pytestmark = [pytest.mark.torch, pytest.mark.slow]
MODEL = "enet_b0_8_va_mtl"


def _standin() -> "torch.nn.Module":
    torch.manual_seed(0)
    model = torchvision.models.efficientnet_b0(weights=None)
    model.classifier[1] = torch.nn.Linear(model.classifier[1].in_features, 10)
    # Random weights with untouched BatchNorm statistics give the same output for every face;
    # statistics gathered on a few random batches make the output depend on the face.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(8, 3, 224, 224))
        model.classifier[1].weight[:8].mul_(20.0)  # logits of a few units, not a flat softmax
    return model.eval()


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    model = _standin()
    path = folder / f"{MODEL}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            model,
            (torch.zeros(2, 3, 224, 224),),
            str(path),
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return model, path


@pytest.fixture(scope="module")
def pack(standin, tmp_path_factory):
    _, path = standin
    engines = tmp_path_factory.mktemp("engines")
    result = cli("packs", "import", "hsemotion", str(path), "--name", "hse", "--out", str(engines))
    assert result.code == 0, result.stderr
    return engines / "hse"


def test_the_import_writes_a_pack_with_the_file_and_its_digest(standin, pack):
    _, path = standin
    manifest = json.loads((pack / "pack.json").read_text())
    [member] = manifest["members"]
    assert member["name"] == MODEL and member["crop"] == {"kind": "box", "margin": 0.0}
    assert member["input"]["size"] == [224, 224] and member["input"]["colour"] == "rgb"
    assert member["output"]["valence_arousal"] == [8, 9] and member["output"]["map"]["Contempt"] == "contempt"
    copied = pack / member["file"]
    assert copied.read_bytes() == path.read_bytes()
    assert member["sha256"] == hashlib.sha256(copied.read_bytes()).hexdigest()
    assert "Apache-2.0" in (pack / "NOTICE").read_text()


def test_the_pack_runs_on_a_clip_with_compounds_contempt_and_valence_arousal(pack, sample, tmp_path):
    clip = tmp_path / "clip.mp4"
    write_vfr(sample("WolfgangLanger_Pexels.mp4"), clip, [0, 40, 80, 120, 160])
    result = cli("run", str(clip), "--pack", str(pack), "--out", str(tmp_path / "o"))
    assert result.code == 0, result.stderr
    faces = [r for r in read_jsonl(tmp_path / "o" / "clip.jsonl") if r["type"] == "face"]
    assert len(faces) >= 5
    for face in faces:
        assert len(face["compound"]) == 7 and len(face["compound_raw"]) == 7
        assert list(face["basic"]) == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "contempt"]
        assert abs(sum(face["basic_raw"].values()) - 1.0) < 1e-3  # contempt's share is kept, not dropped
        for key in ("valence", "arousal", "valence_raw", "arousal_raw"):
            assert -1.0 <= face[key] <= 1.0
    assert len({f["valence_raw"] for f in faces}) > 1  # the face, not a constant, decides
    rows = list(csv.DictReader((tmp_path / "o" / "clip.faces.csv").open()))
    assert len(rows) == len(faces) and list(rows[0])[-3:] == ["contempt", "valence", "arousal"]
    assert [float(r["valence"]) for r in rows] == pytest.approx([f["valence"] for f in faces], abs=1e-5)


def test_the_onnx_member_matches_the_torch_module_on_the_same_crops(standin, pack, sample):
    from cer_live.models.packs import load_pack
    from cer_live.models.softmax import softmax
    from cer_live.run.analyser import Analyser, AnalyserOptions

    model, _ = standin
    loaded = load_pack(str(pack))
    image = cv2.imread(str(sample("multi_face.jpg")))
    analyser = Analyser(loaded, AnalyserOptions(threads=2))
    try:
        dets = analyser.detector.detect([image])[0]
        [tensor] = analyser.ensemble.preprocessor.tensors(image, dets)
        with torch.no_grad():
            reference = model(torch.from_numpy(tensor)).numpy()
        onnx_out = analyser.ensemble.members[0].engine.infer(tensor)[0]
        assert len(dets) >= 2 and tensor.shape[1:] == (3, 224, 224)
        assert np.abs(onnx_out - reference).max() <= 1e-4
        scores, _ = analyser.ensemble.score(image, dets)
    finally:
        analyser.close()
    probs = softmax(reference[:, :8].astype(np.float64))
    for i, face in enumerate(scores):
        assert np.abs(face.extra[0] - probs[i, 1]) <= 1e-4  # Contempt
        assert np.abs(face.basic[3] - probs[i, 4]) <= 1e-4  # happy <- Happiness
        assert np.abs(face.va - np.clip(reference[i, 8:], -1, 1)).max() <= 1e-4


@pytest.mark.parametrize(
    ("model_name", "problem"),
    [
        ("enet_b2_8", "takes batch x 3 x 224 x 224 but enet_b2_8 takes batch x 3 x 260 x 260"),
        ("enet_b0_8_best_afew", "gives 10 outputs per face"),
        ("enet_b0_7", "unknown HSEmotion model 'enet_b0_7'"),
    ],
)
def test_the_import_refuses_a_file_that_does_not_fit_the_named_model(standin, tmp_path, model_name, problem):
    _, path = standin
    result = cli(
        "packs", "import", "hsemotion", str(path), "--name", "x", "--out", str(tmp_path), "--model-name", model_name
    )
    assert result.code == 2 and problem in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error:") and result.stderr.count("error") == 1
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x*"))
