"""The tiny CPU training example (`cer-live train --example`) through the real CLI: it learns,
exports a pack that `cer-live run` serves and `cer-live evaluate` scores, and stage 2 starts from
its checkpoints."""

import json

import pytest
import tomllib

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

from cer_live.models.backends.torch_architectures import build  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402
from tests.helpers import cli, read_jsonl  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.slow]
ARCHS = ("mobilenet_v2", "resnet18")
CHANCE = 1 / 7


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The README's tiny example, as a user runs it: the example's label set, tiny.toml, run and pack."""
    root = tmp_path_factory.mktemp("tiny")
    done = cli("train", "--example", str(root), timeout=900)
    assert done.code == 0, done.stderr[-3000:]
    return root, done


def test_loss_falls_and_macro_f1_is_well_above_chance(tiny_run):
    root, done = tiny_run
    history = read_jsonl(root / "run" / "history.jsonl")
    assert [h["epoch"] for h in history] == [1, 2, 3, 4, 5]
    summary = json.loads((root / "run" / "run.json").read_text())
    for arch in ARCHS:
        losses = [h["members"][arch]["train_loss"] for h in history]
        assert losses[-1] < 0.75 * losses[0], (arch, losses)
        best = summary["best"][arch]
        assert best["macro_f1"] >= 3 * CHANCE, (arch, [h["members"][arch]["val_macro_f1"] for h in history])
        assert best["macro_f1"] == max(h["members"][arch]["val_macro_f1"] for h in history)
    assert "unreadable image" in done.stdout + done.stderr  # the counts table reports what was skipped


def test_checkpoints_are_plain_state_dicts_with_config_and_commit_beside(tiny_run):
    root, _ = tiny_run
    run = root / "run"
    for arch in ARCHS:
        state = torch.load(run / f"{arch}.pth", weights_only=True)
        build(arch).load_state_dict(state, strict=True)
    config = tomllib.loads((run / "config.toml").read_text())
    assert config["size"] == 64 and config["archs"] == list(ARCHS)
    summary = json.loads((run / "run.json").read_text())
    assert summary["status"] == "finished" and summary["git_commit"] and summary["world_size"] == 1
    assert sum(summary["train"]["counts"]) + sum(summary["val"]["counts"]) == 7 * 26


def test_the_pack_serves_cer_live_run_and_scores_like_training(tiny_run, label_set, sample, tmp_path):
    root, _ = tiny_run
    pack = load_pack(str(root / "engines" / "tiny"))
    assert [m.name for m in pack.members] == list(ARCHS)
    assert all(m.size == (64, 64) for m in pack.members)
    assert all(m["trained"] for m in pack.manifest["members"])
    done = cli(
        "run", str(sample("single_face.jpg")), "--pack", str(pack.path), "--out", str(tmp_path / "out"), "--no-video"
    )
    assert done.code == 0, done.stderr
    faces = [r for r in read_jsonl(tmp_path / "out" / "single_face.jsonl") if r.get("type") == "face"]
    assert faces and faces[0]["label"] in pack.manifest["members"][0]["output"]["classes"]
    done = cli(
        "evaluate",
        "--pack",
        str(pack.path),
        "--data",
        str(label_set),
        "--json",
        str(tmp_path / "e.json"),
        "--plot",
        str(tmp_path / "e.png"),
    )
    assert done.code == 0, done.stderr
    report = json.loads((tmp_path / "e.json").read_text())
    assert set(report["fusion"]) == {"mean", "weighted_mean", "majority"}
    for arch in ARCHS:
        assert report["members"][arch]["macro_f1"] >= 3 * CHANCE  # ONNX on the crops agrees with training
    assert report["skipped"]["unreadable image"] == 1 and (tmp_path / "e.png").stat().st_size > 10_000


def test_stage_two_starts_from_stage_one(tiny_run, label_set, tmp_path):
    root, _ = tiny_run
    out = tmp_path / "stage2"
    done = cli(
        "train",
        str(label_set),
        "--config",
        str(root / "tiny.toml"),
        "--init",
        str(root / "run"),
        "--arch",
        "resnet18",
        "--epochs",
        "1",
        "--lr",
        "1e-5",
        "--out",
        str(out),
        timeout=600,
    )
    assert done.code == 0, done.stderr[-3000:]
    first = read_jsonl(out / "history.jsonl")[0]["members"]["resnet18"]["val_macro_f1"]
    stage1 = json.loads((root / "run" / "run.json").read_text())["best"]["resnet18"]["macro_f1"]
    assert first >= stage1 - 0.15  # a fresh network at 1e-5 for one epoch is near chance
