"""The tiny training example's set-up, and what it refuses before torch loads (its run is trained in
tests/offline/train/test_training.py)."""

import tomllib

from cer_live.offline.example import tiny_toml
from cer_live.offline.train.config import from_mapping
from tests.helpers import cli


def test_the_example_config_is_the_setting_the_training_page_states():
    raw = tomllib.loads(tiny_toml())
    config = from_mapping(raw)
    assert tuple(config.archs) == ("mobilenet_v2", "resnet18") and config.pretrained == "none"
    assert (config.size, config.batch_size, config.lr, config.epochs) == (64, 8, 1e-3, 5)
    assert (config.threads, config.val_fraction) == (1, 0.25)


def test_the_example_never_writes_into_a_folder_that_holds_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = cli("train", "--example", str(tmp_path))
    assert done.code == 2 and "already holds files" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_train_without_out_or_example_says_which_to_give(tmp_path):
    done = cli("train", str(tmp_path))
    assert done.code == 2 and "--out" in done.stderr and "--example" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
