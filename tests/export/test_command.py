"""`cer-live export` end to end: checkpoints in, a pack out, and the pack runs."""

import json

import pytest
import torch

from cer_live.errors import ExportError
from cer_live.export.build import ExportOptions
from cer_live.export.checkpoints import expand
from cer_live.models.backends.torch_architectures import build
from tests.helpers import cli, read_jsonl

pytestmark = pytest.mark.torch


def test_export_reference_checkpoints_then_run(tmp_path, sample):
    ckpts = tmp_path / "ckpts"
    ckpts.mkdir()
    torch.manual_seed(0)
    torch.save(build("mobilenet_v2").state_dict(), ckpts / "model0.pth")
    result = cli(
        "export",
        str(ckpts),
        "--name",
        "mine",
        "--out",
        str(tmp_path / "engines"),
        "--no-fp16",
    )
    # Default-initialised heads give near-uniform outputs, yet fp32 parity still holds.
    assert result.code == 0, result.stderr
    assert "mobilenet_v2" in result.stdout and "pack written to" in result.stdout
    manifest = json.loads((tmp_path / "engines" / "mine" / "pack.json").read_text())
    assert manifest["members"][0]["trained"] is True and manifest["members"][0]["source"] == "model0.pth"
    assert "fp16" not in manifest["members"][0]
    run = cli(
        "run",
        str(sample("single_face.jpg")),
        "--pack",
        str(tmp_path / "engines" / "mine"),
        "--out",
        str(tmp_path / "o"),
    )
    assert run.code == 0, run.stderr
    face = read_jsonl(tmp_path / "o" / "single_face.jsonl")[1]
    assert list(face["members"]) == ["mobilenet_v2"]


def test_export_errors_are_one_line(tmp_path):
    result = cli("export", str(tmp_path / "nope.pth"), "--name", "x", "--out", str(tmp_path))
    assert result.code == 2 and "does not exist" in result.stderr and result.stderr.count("\n") == 1
    result = cli("export", "--random", "vgg16", "--name", "x", "--out", str(tmp_path))
    assert result.code == 2 and "unknown architecture 'vgg16'" in result.stderr
    result = cli("export", "--name", "x", "--out", str(tmp_path))
    assert result.code == 2 and "nothing to export" in result.stderr


@pytest.mark.parametrize("name", ["../../x", "", ".hidden", "a/b", "-x", "x" * 65])
def test_a_pack_name_that_is_not_one_plain_folder_name_is_refused(name):
    with pytest.raises(ExportError, match="bad pack name") as info:
        ExportOptions(name=name)
    assert "\n" not in str(info.value)


def test_an_unknown_architecture_in_arch_file_is_named_as_such():
    with pytest.raises(ExportError, match="unknown architecture 'vgg16' in 'vgg16=w.pth'; choose from"):
        expand(["vgg16=w.pth"])


def test_a_bad_name_is_one_line_before_any_work(tmp_path):
    out = tmp_path / "engines"
    result = cli("export", "--random", "resnet18", "--name", "../../x", "--out", str(out))
    assert result.code == 2 and "bad pack name '../../x'" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists() and not (tmp_path / "x").exists()
